"""Dashboard figures from real verifications and runs (manual and automatic) in PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from app.domain.errors import DomainError
from app.domain.records import TransferFull
from app.evidence import Upload
from app.services.claims import ClaimService
from app.services.stats import StatsService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import PNG


def _noticed(staff: TransferService, make: Callable[..., TransferFull], minutes_ago: float
             ) -> TransferFull:
    created = make()
    return staff.mark_notice_received(
        created.row.id, accept_url="https://portal.example/accept", transfer_ref="t",
        accept_by=None, received_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))


def test_dashboard_figures_from_real_activity(
    engine: Engine, staff: TransferService, bot_claims: ClaimService,
    make_transfer: Callable[..., TransferFull],
) -> None:
    by_hand = _noticed(staff, make_transfer, 30)
    staff.manual_verify(by_hand.row.id, by_hand.row.version, "seen on the portal",
                        uploads=[Upload("portal.png", PNG)])
    by_bot = _noticed(staff, make_transfer, 90)
    claim = bot_claims.claim("bot-1", transfer_id=by_bot.row.id)
    assert claim is not None
    bot_claims.record_outcome(claim.run_id, "bot-1", "accepted")
    retried = _noticed(staff, make_transfer, 1)
    claim = bot_claims.claim("bot-1", transfer_id=retried.row.id)
    assert claim is not None
    bot_claims.record_outcome(claim.run_id, "bot-1", "portal_error")
    make_transfer()  # still waiting: counts in no figure but the status counts

    stats = StatsService(engine).dashboard(14)

    today = datetime.now(UTC).date()
    assert [d for d, _ in stats.verified_per_day] == [today - timedelta(days=13 - i)
                                                       for i in range(14)]
    assert stats.verified_per_day[-1] == (today, 2)
    assert all(n == 0 for _, n in stats.verified_per_day[:-1])
    assert stats.median_minutes_to_verified is not None
    assert 60 <= stats.median_minutes_to_verified < 62  # median of ~30 and ~90 minutes
    assert stats.outcomes_by_kind == {"accepted": 1, "portal_error": 1}
    assert stats.status_counts["verified"] == 2
    assert stats.status_counts["awaiting_notice"] == 1

    later = StatsService(engine).dashboard(3, now=datetime.now(UTC) + timedelta(days=2))
    assert later.verified_per_day[0] == (today, 2)  # the window moved: today is its first day
    gone = StatsService(engine).dashboard(1, now=datetime.now(UTC) + timedelta(days=2))
    assert gone.verified_per_day[0][1] == 0 and gone.median_minutes_to_verified is None
    assert gone.outcomes_by_kind == {}


@pytest.mark.parametrize("days", [0, 367])
def test_bad_window_is_a_clear_error(engine: Engine, days: int) -> None:
    with pytest.raises(DomainError, match="1 to 366 days"):
        StatsService(engine).dashboard(days)
