"""Retry timing for retryable run outcomes: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from datetime import timedelta

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=30)
JITTER = 0.2


def backoff_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after ``attempts`` tries (30 s, 60 s, 120 s ... <= 30 min, +-20%).

    The jitter spreads retries of many transfers that failed together (a portal outage).
    """
    exponent = max(0, attempts - 1)
    delay = min(BASE_DELAY * (1 << min(exponent, 20)), MAX_DELAY)
    factor = 1.0 + (rng or random).uniform(-JITTER, JITTER)
    return delay * factor
