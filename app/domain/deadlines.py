"""Deadlines of a transfer and when to warn about them (pure: no database, no clock).

A transfer has up to three deadlines: its accept-by (the portal's accept window), its event
start and its hold expiry (the buyer's money). Warnings are raised at configured lead times
before each (``[deadlines] warn_before``); see docs/domain.md, "Deadlines".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: The lead times used when config.toml has no ``[deadlines] warn_before``.
DEFAULT_WARN_BEFORE: tuple[timedelta, ...] = (
    timedelta(hours=24), timedelta(hours=4), timedelta(hours=1),
)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(\d+)\s*([dhms])")


class DeadlineKind(StrEnum):
    """Which deadline a warning is about (the ``deadline_warnings.deadline_kind`` values)."""

    ACCEPT_BY = "accept_by"
    EVENT_START = "event_start"
    HOLD_EXPIRY = "hold_expiry"

    @property
    def label(self) -> str:
        """How staff read it in a warning."""
        return {"accept_by": "accept window closes", "event_start": "event starts",
                "hold_expiry": "payment hold lapses"}[self.value]


@dataclass(frozen=True)
class Deadlines:
    """A transfer's deadlines (any may be unknown)."""

    accept_by: datetime | None = None
    event_starts_at: datetime | None = None
    hold_expires_at: datetime | None = None

    def items(self) -> list[tuple[DeadlineKind, datetime]]:
        """``(kind, moment)`` of every known deadline."""
        pairs = [(DeadlineKind.ACCEPT_BY, self.accept_by),
                 (DeadlineKind.EVENT_START, self.event_starts_at),
                 (DeadlineKind.HOLD_EXPIRY, self.hold_expires_at)]
        return [(kind, moment) for kind, moment in pairs if moment is not None]

    def earliest(self) -> datetime | None:
        """The first deadline after which an acceptance is pointless (None: none known)."""
        moments = [moment for _, moment in self.items()]
        return min(moments) if moments else None


@dataclass(frozen=True)
class DueWarning:
    """One warning that is due now: ``lead`` before the ``kind`` deadline at ``deadline_at``."""

    kind: DeadlineKind
    lead: timedelta
    deadline_at: datetime


def parse_duration(text: str) -> timedelta:
    """``"24h"``, ``"90m"``, ``"1h30m"``, ``"2d"``, ``"45s"`` -> timedelta.

    Raises:
        ValueError: anything else, or a zero duration (one line, naming the value).
    """
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"{text!r} is not a duration like '24h', '90m' or '1h30m'")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r}: a lead time must be longer than zero")
    return timedelta(seconds=seconds)


def parse_lead_times(values: Iterable[str]) -> tuple[timedelta, ...]:
    """Parse ``warn_before`` entries; longest first, duplicates dropped.

    Raises:
        ValueError: an entry is not a duration.
    """
    return tuple(sorted({parse_duration(v) for v in values}, reverse=True))


def due_warnings(deadlines: Deadlines, now: datetime, leads: Sequence[timedelta]
                 ) -> list[DueWarning]:
    """The warnings due at ``now``: per deadline still ahead, the tightest lead time crossed.

    A transfer created 2 h before its accept-by gets the 4 h warning, not a stale 24 h one too;
    the 1 h warning follows when its time comes. A deadline already past gets none (the
    sweeper expires the transfer instead).
    """
    due: list[DueWarning] = []
    for kind, moment in deadlines.items():
        if moment <= now:
            continue
        crossed = [lead for lead in leads if moment - lead <= now]
        if crossed:
            due.append(DueWarning(kind, min(crossed), moment))
    return due


def format_left(delta: timedelta) -> str:
    """``3h 59m``, ``12m``, ``2d 4h``: how long is left, for people."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def format_lead(lead: timedelta) -> str:
    """A lead time in hours, minutes and seconds: ``24h``, ``1h30m``, ``48h``."""
    seconds = int(lead.total_seconds())
    out = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out += f"{count}{unit}"
    return out or "0s"
