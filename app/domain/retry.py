"""Retry timing for retryable run outcomes: exponential backoff with jitter, shortened as the
deadline nears and never past it (docs/domain.md, "Deadlines").

The backoff doubles from 30 s; its cap depends on how long is left before the transfer's
earliest deadline (accept-by, event start, hold expiry), as broker tools retry faster near a
cut-off: at most 2 min within 1 h, 10 min within 4 h, 30 min within 24 h, 1 h further out
(30 min when no deadline is known). Jitter (+-20 %) spreads retries of transfers that failed
together. A retry must start :data:`SAFETY_MARGIN` before the deadline, so a run can finish:
a later moment is pulled in to that latest safe moment; when even that is less than
:data:`MIN_DELAY` away, no retry fits and the transfer goes to needs_review (a person decides
while there is still time).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=30)
JITTER = 0.2
#: ``(time left at most, longest backoff)``, tightest first.
PROXIMITY_CAPS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=1), timedelta(minutes=2)),
    (timedelta(hours=4), timedelta(minutes=10)),
    (timedelta(hours=24), timedelta(minutes=30)),
)
FAR_CAP = timedelta(hours=1)
#: A retry starts at least this long before the deadline (one run's worth of time).
SAFETY_MARGIN = timedelta(minutes=2)
#: A retry sooner than this is not worth scheduling: the transfer goes to needs_review.
MIN_DELAY = timedelta(seconds=15)


def backoff_cap(time_left: timedelta | None) -> timedelta:
    """The longest backoff with ``time_left`` before the deadline (None: no deadline known)."""
    if time_left is None:
        return MAX_DELAY
    for within, cap in PROXIMITY_CAPS:
        if time_left <= within:
            return cap
    return FAR_CAP


def backoff_delay(attempts: int, rng: random.Random | None = None,
                  cap: timedelta = MAX_DELAY) -> timedelta:
    """Delay before the next try after ``attempts`` tries (30 s, 60 s, 120 s ... <= cap, +-20%)."""
    exponent = max(0, attempts - 1)
    delay = min(BASE_DELAY * (1 << min(exponent, 20)), cap)
    factor = 1.0 + (rng or random).uniform(-JITTER, JITTER)
    return delay * factor


def next_retry_at(now: datetime, attempts: int, deadline: datetime | None,
                  rng: random.Random | None = None) -> datetime | None:
    """When to try again after ``attempts`` tries; None when no retry fits before ``deadline``.

    Never after ``deadline - SAFETY_MARGIN``; see the module docstring for the schedule.
    """
    time_left = None if deadline is None else deadline - now
    at = now + backoff_delay(attempts, rng, backoff_cap(time_left))
    if deadline is None:
        return at
    latest = deadline - SAFETY_MARGIN
    if latest - now < MIN_DELAY:
        return None
    return min(at, latest)
