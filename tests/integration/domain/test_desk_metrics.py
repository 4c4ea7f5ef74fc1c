"""Dashboard metrics over a period, from known activity recorded by the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.domain.records import TransferFull
from app.domain.states import Outcome, Role
from app.escrow import repository as escrow_repo
from app.evidence import Upload
from app.services.claims import ClaimService
from app.services.desk_metrics import DeskMetricsService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import PNG

Make = Callable[..., TransferFull]
WORKER = "vm-2:41:abc"


def _noticed(staff: TransferService, make: Make, minutes_ago: float, **fields: object
             ) -> TransferFull:
    created = make(**fields)
    return staff.mark_notice_received(
        created.row.id, accept_url="https://portal.example/accept", transfer_ref="t",
        accept_by=None, received_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))


def _run(claims: ClaimService, transfer: TransferFull, outcome: Outcome) -> None:
    claim = claims.claim(WORKER, transfer_id=transfer.row.id)
    assert claim is not None
    claims.record_outcome(claim.run_id, WORKER, outcome, "")


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def test_each_figure_from_known_activity(
    engine: Engine, staff: TransferService, supervisor: TransferService,
    bot_claims: ClaimService, make_transfer: Make,
) -> None:
    began = datetime.now(UTC)  # every verification below happens in its hour or the next
    site_a = [supervisor.add_account("paciolan", "https://a.example.edu", f"u{i}@m.example")
              for i in range(2)]
    site_b = supervisor.add_account("paciolan", "https://b.example.edu", "u@m.example")
    for minutes in (3, 10, 100):  # verified by automation
        _run(bot_claims, _noticed(staff, make_transfer, minutes, account_id=site_b.id),
             Outcome.ACCEPTED)
    by_hand = _noticed(staff, make_transfer, 600)
    staff.manual_verify(by_hand.row.id, by_hand.row.version, "seen",
                        uploads=[Upload("p.png", PNG)])
    no_notice = make_transfer()  # verified by hand without a notice: no wait to measure
    staff.manual_verify(no_notice.row.id, no_notice.row.version, "seen",
                        uploads=[Upload("p.png", PNG)])
    for account in (*site_a, site_b):
        _run(bot_claims, _noticed(staff, make_transfer, 1, account_id=account.id),
             Outcome.BLOCKED)
    _run(bot_claims, _noticed(staff, make_transfer, 1, account_id=site_b.id),
         Outcome.PORTAL_ERROR)  # not a block
    late = make_transfer(accept_by=datetime.now(UTC) - timedelta(minutes=5))
    assert staff.expire_overdue() == [late.row.id]
    lapsed, checked, captured = make_transfer(), make_transfer(), make_transfer()
    with Session(engine) as session, session.begin():  # what the escrow service writes
        escrow_repo.add_audit(session, lapsed.row.id, "escrow_lapsed", "escrow",
                              {"escrow_status": "lapsed"})
        escrow_repo.add_audit(session, checked.row.id, "escrow_hold_checked", "escrow",
                              {"escrow_from": "held", "escrow_to": "lapsed"})
        escrow_repo.add_audit(session, captured.row.id, "escrow_captured", "escrow",
                              {"escrow_status": "captured"})

    start, end = _hour(began) - timedelta(hours=3), _hour(began) + timedelta(hours=2)
    metrics = DeskMetricsService(engine, role=Role.STAFF).metrics(start, end)

    assert (metrics.verified_by_automation, metrics.verified_by_hand) == (3, 2)
    assert metrics.automation_share == pytest.approx(0.6)
    waits = metrics.notice_to_verified
    assert waits.count == 4  # 3, 10, 100 and 600 minutes
    assert waits.p50_minutes == pytest.approx(55, abs=0.5)
    assert waits.p90_minutes == pytest.approx(450, abs=0.5)
    assert waits.p95_minutes == pytest.approx(525, abs=0.5)
    assert [b.count for b in waits.buckets] == [1, 1, 0, 0, 1, 0, 0, 1, 0]
    assert [b.label for b in waits.buckets][:2] == ["< 5 min", "5–15 min"]
    assert waits.buckets[3].label == "30 min–1 h" and waits.buckets[-1].label == "≥ 24 h"
    assert [h.hour for h in metrics.verified_per_hour] == [start + timedelta(hours=i)
                                                           for i in range(5)]
    assert sum(h.verified for h in metrics.verified_per_hour) == 5
    assert sum(h.verified for h in metrics.verified_per_hour[:3]) == 0
    assert (metrics.expired, metrics.holds_lapsed) == (1, 2)
    assert [(s.site_url, s.blocked_runs, s.accounts) for s in metrics.blocks_per_site] == [
        ("https://a.example.edu", 2, 2), ("https://b.example.edu", 1, 1)]

    before = DeskMetricsService(engine).metrics(start - timedelta(days=1), start)
    assert (before.verified_by_automation, before.verified_by_hand) == (0, 0)
    assert before.automation_share is None and before.notice_to_verified.p50_minutes is None
    assert before.notice_to_verified.count == 0
    assert len(before.verified_per_hour) == 24
    assert not any(h.verified for h in before.verified_per_hour)
    assert (before.expired, before.holds_lapsed, before.blocks_per_site) == (0, 0, ())


@pytest.mark.parametrize(("start", "end", "message"), [
    (datetime(2026, 1, 2), datetime(2026, 1, 3), "timezone"),
    (datetime(2026, 1, 3, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC), "end after"),
    (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC), "at most 366 days"),
])
def test_bad_period_is_a_clear_error(engine: Engine, start: datetime, end: datetime,
                                     message: str) -> None:
    with pytest.raises(DomainError, match=message):
        DeskMetricsService(engine).metrics(start, end)
