"""How a deadline is shown: its urgency level, colour and compact text ("in 3 h 05 m").

Owns :class:`DueLevel`, the due colours and the formatting of the database's ``due_at`` (used
as given; nothing here recomputes a deadline).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum

from PySide6.QtGui import QBrush, QColor


class DueLevel(IntEnum):
    """How urgent the earliest deadline is (drives the row colour)."""

    NONE = 0
    LATER = 1
    WITHIN_24H = 2
    WITHIN_6H = 3
    OVERDUE = 4


DUE_COLOURS: dict[DueLevel, QColor] = {
    DueLevel.OVERDUE: QColor("#d32f2f"),
    DueLevel.WITHIN_6H: QColor("#ef6c00"),
    DueLevel.WITHIN_24H: QColor("#f9a825"),
}
DUE_BRUSHES: dict[DueLevel, QBrush] = {level: QBrush(c) for level, c in DUE_COLOURS.items()}


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


def format_due(due: datetime | None, now: datetime) -> str:
    """"in 3 h 05 m", "2 d 4 h", "overdue 40 m" — compact and sortable by eye."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    prefix = "overdue " if seconds < 0 else "in "
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{prefix}{days} d {hours} h"
    if hours:
        return f"{prefix}{hours} h {minutes:02d} m"
    return f"{prefix}{minutes} m"


def local_time(value: datetime | None) -> str:
    """``value`` in local time, "Mon 01 Dec 14:05" (empty for None)."""
    return value.astimezone().strftime("%a %d %b %H:%M") if value is not None else ""
