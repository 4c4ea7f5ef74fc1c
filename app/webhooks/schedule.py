"""When to try a failed delivery again: exponential backoff with full jitter, for ~3 days."""

from __future__ import annotations

import random
from datetime import timedelta

FIRST_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(hours=6)
#: After this long since the event, a failing delivery is dead-lettered.
GIVE_UP_AFTER = timedelta(days=3)


def retry_delay(attempt: int, rng: random.Random | None = None) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1 = the first try).

    The ceiling doubles from 10 s up to 6 h; the wait is uniform between half the ceiling and
    the ceiling, so retries from many deliveries spread out instead of arriving together.
    """
    ceiling = min(FIRST_DELAY * (1 << min(max(0, attempt - 1), 20)), MAX_DELAY)
    share: float = (rng or random.Random()).uniform(0.5, 1.0)
    return ceiling * share
