"""Generated demo data: verifications spread over the dashboard's 14 days, with plausible times."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from automation.demo.transfers import EVENT_MARGIN, HISTORY_DAYS, generate

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def verified() -> list[dict]:
    rows = [r for r in generate(3000, seed=7, now=NOW) if r["status"] == "verified"]
    assert len(rows) > 500
    return rows


def test_verifications_spread_over_the_last_fourteen_days(verified: list[dict]) -> None:
    per_day = Counter(r["verified_at"].date() for r in verified)
    window = {(NOW - timedelta(days=d)).date() for d in range(HISTORY_DAYS)}
    assert set(per_day) == window, "every one of the 14 days has verifications, none outside"
    assert max(per_day.values()) < 0.25 * len(verified), "no single day dominates"
    assert all(r["verified_at"] <= NOW for r in verified), "nothing verified in the future"


def test_times_are_ordered_and_notice_to_verified_is_realistic(verified: list[dict]) -> None:
    for row in verified:
        assert row["created_at"] < row["notice_received_at"] < row["verified_at"]
        assert row["accept_by"] == min(row["created_at"] + timedelta(hours=72),
                                       row["event_starts_at"] - EVENT_MARGIN)
    minutes = {method: [(r["verified_at"] - r["notice_received_at"]).total_seconds() / 60
                        for r in verified if r["method"] == method]
               for method in ("auto", "manual")}
    assert 5 < statistics.median(minutes["auto"]) < 30, "the worker accepts within minutes"
    assert 60 < statistics.median(minutes["manual"]) < 6 * 60, "staff take hours"
    assert len({round(m) for m in minutes["auto"]}) > 50, "not one fixed delay"


def test_same_seed_same_rows() -> None:
    first = list(generate(50, seed=3, now=NOW))
    assert first == list(generate(50, seed=3, now=NOW))
    assert first != list(generate(50, seed=4, now=NOW))
