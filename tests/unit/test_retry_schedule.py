"""Retry timing by deadline proximity: the schedule as a table, and never after the deadline."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.retry import (
    JITTER,
    MIN_DELAY,
    SAFETY_MARGIN,
    backoff_cap,
    backoff_delay,
    next_retry_at,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, M, S = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)


@pytest.mark.parametrize(("left", "cap"), [
    (None, 30 * M), (72 * H, H), (24 * H + S, H), (24 * H, 30 * M), (5 * H, 30 * M),
    (4 * H, 10 * M), (90 * M, 10 * M), (H, 2 * M), (10 * M, 2 * M),
])
def test_the_cap_shrinks_as_the_deadline_nears(left, cap):
    assert backoff_cap(left) == cap


@pytest.mark.parametrize(("attempts", "left", "nominal"), [
    # attempts made, time left before the deadline, delay before jitter
    (1, None, 30 * S), (2, None, 60 * S), (4, None, 240 * S), (9, None, 30 * M),
    (9, 72 * H, H), (9, 12 * H, 30 * M), (9, 3 * H, 10 * M), (9, 45 * M, 2 * M),
    (3, 45 * M, 2 * M), (2, 45 * M, 60 * S), (1, 20 * M, 30 * S),
])
def test_schedule_table(attempts, left, nominal):
    deadline = None if left is None else NOW + left
    for seed in range(20):
        at = next_retry_at(NOW, attempts, deadline, random.Random(seed))
        assert at is not None
        delay = at - NOW
        assert nominal * (1 - JITTER) <= delay <= nominal * (1 + JITTER)


def test_jitter_is_kept():
    delays = {next_retry_at(NOW, 3, NOW + 10 * H, random.Random(s)) for s in range(30)}
    assert len(delays) > 20


@pytest.mark.parametrize(("left", "expected"), [
    (3 * M, NOW + M),  # 1 min before the 2 min margin: the latest safe moment
    (2 * M + MIN_DELAY, NOW + MIN_DELAY),
    (2 * M + MIN_DELAY - S, None),  # nothing fits: needs_review
    (M, None), (-H, None),
])
def test_near_or_past_the_deadline(left, expected):
    assert next_retry_at(NOW, 5, NOW + left, random.Random(1)) == expected


@given(
    attempts=st.integers(min_value=0, max_value=60),
    left=st.timedeltas(min_value=-H, max_value=timedelta(days=10)),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_a_retry_is_never_scheduled_after_the_deadline(attempts, left, seed):
    deadline = NOW + left
    at = next_retry_at(NOW, attempts, deadline, random.Random(seed))
    if at is None:
        assert left - SAFETY_MARGIN < MIN_DELAY
    else:
        assert NOW < at <= deadline - SAFETY_MARGIN
        assert at - NOW <= backoff_cap(left) * (1 + JITTER)


@given(attempts=st.integers(min_value=0, max_value=60), seed=st.integers(0, 2**32))
def test_without_a_deadline_the_old_backoff_holds(attempts, seed):
    at = next_retry_at(NOW, attempts, None, random.Random(seed))
    assert at == NOW + backoff_delay(attempts, random.Random(seed))
