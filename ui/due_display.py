"""How a deadline is shown: its urgency level, colour and text, long or narrow.

Owns :class:`DueLevel`, the due colours, the formatting of the database's ``due_at`` (used as
given; nothing here recomputes a deadline) and :class:`DueDelegate`, which paints the Due
column with the longest wording that fits: "in 3 h 20 min" → "in 3 h" → "3 h". A narrow column
drops the least significant unit first, never cuts a number with "…".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.theme import Tone, palette_is_dark, tone_colour

Index = QModelIndex | QPersistentModelIndex


class DueLevel(IntEnum):
    """How urgent the earliest deadline is (drives the row colour)."""

    NONE = 0
    LATER = 1
    WITHIN_24H = 2
    WITHIN_6H = 3
    OVERDUE = 4


#: The theme's tone of each urgent level (readable at WCAG AA on light and dark bases).
DUE_TONES: dict[DueLevel, Tone] = {
    DueLevel.OVERDUE: Tone.DANGER,
    DueLevel.WITHIN_6H: Tone.WARNING,
    DueLevel.WITHIN_24H: Tone.CAUTION,
}


def due_colour(level: DueLevel, dark: bool | None = None) -> QColor | None:
    """The text colour of an urgent level (None: the palette's own), for the scheme in use."""
    tone = DUE_TONES.get(level)
    if tone is None:
        return None
    return tone_colour(tone, palette_is_dark() if dark is None else dark)


def due_brush(level: DueLevel) -> QBrush | None:
    """:func:`due_colour` as a brush for a model's ForegroundRole."""
    colour = due_colour(level)
    return None if colour is None else QBrush(colour)


def due_level(due: datetime | None, now: datetime) -> DueLevel:
    """Classify a deadline relative to ``now``."""
    if due is None:
        return DueLevel.NONE
    left = due - now
    if left <= timedelta(0):
        return DueLevel.OVERDUE
    if left < timedelta(hours=6):
        return DueLevel.WITHIN_6H
    if left < timedelta(hours=24):
        return DueLevel.WITHIN_24H
    return DueLevel.LATER


def due_variants(due: datetime | None, now: datetime) -> tuple[str, ...]:
    """The due text from the fullest to the narrowest, each keeping what matters most.

    ``("in 3 h 20 min", "in 3 h", "3 h")``; overdue ones keep the word while they can:
    ``("overdue 23 h 10 min", "overdue 23 h", "-23 h")``. Empty for no deadline.
    """
    if due is None:
        return ()
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        full, short = f"{days} d {hours} h", f"{days} d"
    elif hours:
        full, short = f"{hours} h {minutes} min", f"{hours} h"
    else:
        full = short = f"{minutes} min"
    word = "overdue " if overdue else "in "
    texts = [word + full, word + short, ("-" if overdue else "") + short]
    return tuple(dict.fromkeys(texts))  # drop repeats ("in 40 min" has no shorter unit)


def format_due(due: datetime | None, now: datetime) -> str:
    """The full due text: "in 3 h 20 min", "in 2 d 4 h", "overdue 40 min" (empty for None)."""
    variants = due_variants(due, now)
    return variants[0] if variants else ""


def fitting_text(variants: tuple[str, ...], option: QStyleOptionViewItem) -> str:
    """The fullest of ``variants`` whose width fits the text area of ``option`` (else the
    narrowest: the view clips it at the edge, but no number is cut in the middle)."""
    if not variants:
        return ""
    widget = option.widget
    style = widget.style() if widget is not None else QApplication.style()
    probe = QStyleOptionViewItem(option)
    probe.text = variants[0]
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, probe, widget).width()
    metrics = option.fontMetrics
    for text in variants:
        if metrics.horizontalAdvance(text) <= room:
            return text
    return variants[-1]


class DueDelegate(QStyledItemDelegate):
    """Paints the Due column with the longest wording that fits the column's width.

    Reads the variants from the model's ``variants_role`` (see :func:`due_variants`).
    """

    def __init__(self, variants_role: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._role = variants_role
        self.last_painted = ""  # the text of the last painted cell (what the view shows)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the cell as usual, with the text chosen to fit."""
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        variants = index.data(self._role)
        text = fitting_text(tuple(variants) if variants else (), view_option)
        view_option.text = text
        self.last_painted = text
        widget = view_option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option, painter, widget)


def local_time(value: datetime | None) -> str:
    """``value`` in local time, "Mon 01 Dec 14:05" (empty for None)."""
    return value.astimezone().strftime("%a %d %b %H:%M") if value is not None else ""
