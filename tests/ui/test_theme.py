"""ui.theme: every named colour has a light and a dark variant readable on that scheme's base."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from app.domain.states import Status
from ui.theme import Tone, chip_colours, dark_palette, palette_is_dark, status_colour, tone_colour

LIGHT_BASE, DARK_BASE = QColor("#ffffff"), dark_palette().base().color()


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("tone", list(Tone))
def test_each_tone_reads_on_its_schemes_base(tone: Tone) -> None:
    assert contrast(tone_colour(tone, dark=False), LIGHT_BASE) >= 4.5, tone
    assert contrast(tone_colour(tone, dark=True), DARK_BASE) >= 4.5, tone


def test_every_status_has_a_colour_and_a_chip() -> None:
    for status in Status:
        for dark in (False, True):
            background, text = chip_colours(status, dark)
            assert text == status_colour(status, dark) and 0 < background.alphaF() < 0.5


def test_palette_is_dark(qapp) -> None:
    assert palette_is_dark(dark_palette())
    assert not palette_is_dark(qapp.style().standardPalette())


def test_monochrome_standard_icons_take_the_text_colour_in_dark_mode(qapp):
    """Fusion's arrows and play icon are black; on a dark palette they are redrawn light."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyle

    from ui.theme import standard_icon

    which = QStyle.StandardPixmap.SP_MediaPlay
    style = qapp.style()
    before = qapp.palette()
    try:
        dark = QPalette(before)
        dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
        qapp.setPalette(dark)
        image = standard_icon(style, which).pixmap(32, 32).toImage()
        opaque = [image.pixelColor(x, y) for x in range(image.width())
                  for y in range(image.height()) if image.pixelColor(x, y).alpha() > 200]
        assert opaque and min(c.lightness() for c in opaque) > 150  # light, not black
    finally:
        qapp.setPalette(before)
    plain = standard_icon(style, which)  # light palette: the style's own icon, untouched
    assert plain.cacheKey() == style.standardIcon(which).cacheKey() or not plain.isNull()
