"""Look and feel: Fusion, the app stylesheet and icon, a dark palette when the system is dark,
and the named colours every view uses (each with a light and a dark variant).

Follows the system colour scheme live (``QStyleHints.colorSchemeChanged``). Views never hard-code
a colour: they ask :func:`tone_colour` / :func:`status_colour` / :func:`chip_colours` with
``dark=palette_is_dark()`` (or read palette roles), so text stays readable in both schemes.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from app.domain.states import Status
from app.resources import resource_path


class Tone(StrEnum):
    """What a colour means (the due levels, alarms, statuses map onto these)."""

    DANGER = "danger"  # overdue, rejected, errors
    WARNING = "warning"  # due within 6 h, needs review
    CAUTION = "caution"  # due within 24 h
    SUCCESS = "success"  # verified
    ACTIVE = "active"  # accepting: a run holds it
    INFO = "info"  # notice received: ready to accept
    NEUTRAL = "neutral"  # waiting, expired


#: (on a light background, on a dark background): text-strength colours, WCAG AA on Base.
TONES: dict[Tone, tuple[str, str]] = {
    Tone.DANGER: ("#c62828", "#ef5350"),
    Tone.WARNING: ("#bf4000", "#ffa726"),
    Tone.CAUTION: ("#8a5a00", "#ffd54f"),
    Tone.SUCCESS: ("#2e7d32", "#66bb6a"),
    Tone.ACTIVE: ("#6a1b9a", "#ce93d8"),
    Tone.INFO: ("#1565c0", "#64b5f6"),
    Tone.NEUTRAL: ("#616161", "#9e9e9e"),
}
STATUS_TONES: dict[Status, Tone] = {
    Status.AWAITING_NOTICE: Tone.NEUTRAL,
    Status.NOTICE_RECEIVED: Tone.INFO,
    Status.ACCEPTING: Tone.ACTIVE,
    Status.NEEDS_REVIEW: Tone.WARNING,
    Status.VERIFIED: Tone.SUCCESS,
    Status.REJECTED: Tone.DANGER,
    Status.EXPIRED: Tone.NEUTRAL,
}


def tone_colour(tone: Tone, dark: bool) -> QColor:
    """The text-strength colour of ``tone`` for a light or dark background."""
    light_hex, dark_hex = TONES[tone]
    return QColor(dark_hex if dark else light_hex)


def status_colour(status: Status, dark: bool) -> QColor:
    """The colour of a transfer status (text, icon or chip border)."""
    return tone_colour(STATUS_TONES[status], dark)


def chip_colours(status: Status, dark: bool) -> tuple[QColor, QColor]:
    """(background, text) of a status chip: a faint tint of the tone under its full colour."""
    text = status_colour(status, dark)
    background = QColor(text)
    background.setAlphaF(0.28 if dark else 0.14)
    return background, text


def palette_is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette in use (default: the application's) is a dark one."""
    used = palette if palette is not None else QGuiApplication.palette()
    return used.color(QPalette.ColorRole.Window).lightness() < 128


def app_icon() -> QIcon:
    """The application icon."""
    return QIcon(str(resource_path("icons", "transferdesk.svg")))


def dark_palette() -> QPalette:
    """A readable dark palette for Fusion."""
    palette = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5")
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text), (QPalette.ColorRole.Highlight, QColor("#2f65ca")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#589df6")),
        (QPalette.ColorRole.PlaceholderText, QColor("#8c8f94")),
    ):
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6f737a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                     QColor("#6f737a"))
    return palette


def is_dark() -> bool:
    """True when the system asks for a dark colour scheme."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, force_dark: bool | None = None) -> None:
    """Style the application and keep following the system's light/dark setting."""
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(resource_path("styles", "app.qss").read_text("utf-8"))

    def follow(*_args: object) -> None:
        dark = is_dark() if force_dark is None else force_dark
        app.setPalette(dark_palette() if dark else app.style().standardPalette())

    follow()
    if force_dark is None:
        QGuiApplication.styleHints().colorSchemeChanged.connect(follow)


#: Standard icons Fusion draws in black whatever the palette (arrows, play): in dark mode they
#: are drawn in the palette's text colour instead, or they vanish on the dark background.
MONOCHROME_ICONS = frozenset({
    QStyle.StandardPixmap.SP_ArrowRight, QStyle.StandardPixmap.SP_ArrowLeft,
    QStyle.StandardPixmap.SP_CommandLink, QStyle.StandardPixmap.SP_MediaPlay,
})


def standard_icon(style: QStyle, which: QStyle.StandardPixmap) -> QIcon:
    """``style.standardIcon(which)``, with the monochrome ones readable in dark mode."""
    icon = style.standardIcon(which)
    if which not in MONOCHROME_ICONS or not palette_is_dark():
        return icon
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    tinted = QIcon()
    for size in (16, 24, 32, 48):
        image = icon.pixmap(size, size).toImage().convertToFormat(
            QImage.Format.Format_ARGB32_Premultiplied)
        if image.isNull():
            continue
        ratio = image.devicePixelRatio()
        image.setDevicePixelRatio(1.0)
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(image.rect(), colour)  # keep the shape (alpha), take the colour
        painter.end()
        image.setDevicePixelRatio(ratio)
        tinted.addPixmap(QPixmap.fromImage(image))
    return tinted
