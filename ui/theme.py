"""Look and feel: Fusion, the app stylesheet and icon, and a dark palette when the system is dark.

Follows the system colour scheme live (``QStyleHints.colorSchemeChanged``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.resources import resource_path


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
