"""The dashboard's figures over a chosen period, as frozen dataclasses (docs/metrics.md).

Owns the shape of :class:`DeskMetrics` and the histogram's bucket edges;
:mod:`app.services.desk_metrics` computes them with SQL aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Upper edges (minutes) of the notice-to-verified histogram's buckets; the last is open.
BUCKET_EDGES_MINUTES: tuple[int, ...] = (5, 15, 30, 60, 120, 240, 480, 1440)


@dataclass(frozen=True)
class Bucket:
    """Transfers whose notice-to-verified time is in [low, high) minutes (high None: open)."""

    low_minutes: int
    high_minutes: int | None
    count: int

    @property
    def label(self) -> str:
        """``< 5 min``, ``1–2 h``, ``≥ 24 h``."""
        if self.high_minutes is None:
            return f"≥ {_span(self.low_minutes)}"
        if self.low_minutes == 0:
            return f"< {_span(self.high_minutes)}"
        return f"{_span(self.low_minutes, unit=False)}–{_span(self.high_minutes)}" \
            if _unit(self.low_minutes) == _unit(self.high_minutes) \
            else f"{_span(self.low_minutes)}–{_span(self.high_minutes)}"


def _unit(minutes: int) -> str:
    return "h" if minutes >= 60 and minutes % 60 == 0 else "min"


def _span(minutes: int, unit: bool = True) -> str:
    number = minutes // 60 if _unit(minutes) == "h" else minutes
    return f"{number} {_unit(minutes)}" if unit else str(number)


@dataclass(frozen=True)
class NoticeToVerified:
    """Minutes from the notice's arrival to the verification, over the period's verifications
    that had a notice. Percentiles are None when there is none."""

    count: int
    p50_minutes: float | None
    p90_minutes: float | None
    p95_minutes: float | None
    buckets: tuple[Bucket, ...]


@dataclass(frozen=True)
class HourCount:
    """Transfers verified in one UTC hour starting at ``hour``."""

    hour: datetime
    verified: int


@dataclass(frozen=True)
class SiteBlocks:
    """Runs that a site refused (``blocked``) in the period."""

    site_url: str
    blocked_runs: int
    accounts: int


@dataclass(frozen=True)
class DeskMetrics:
    """The dashboard over [start, end).

    Attributes:
        verified_by_automation / verified_by_hand: transfers verified in the period, by method.
        automation_share: the automated part of them (0..1), None when none was verified.
        expired: transfers that expired in the period (accept window or hold lapsed first).
        holds_lapsed: transfers whose buyer's hold lapsed before capture in the period.
    """

    start: datetime
    end: datetime
    verified_by_automation: int
    verified_by_hand: int
    automation_share: float | None
    notice_to_verified: NoticeToVerified
    verified_per_hour: tuple[HourCount, ...]
    expired: int
    holds_lapsed: int
    blocks_per_site: tuple[SiteBlocks, ...]
