"""The deadline sweeper against real PostgreSQL: expiry, warnings once, one sweeper at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.db.models import Alarm
from app.db.models_deadlines import DeadlineWarning
from app.domain.states import Role, Status
from app.evidence import Upload
from app.repositories.deadlines import SWEEP_LOCK_KEY
from app.services.claims import ClaimService
from app.services.deadlines import DeadlineService
from tests.integration.domain.conftest import PNG


def _now() -> datetime:
    return datetime.now(UTC)


def warnings(engine: Engine) -> list[tuple[int, str, int]]:
    with Session(engine) as session:
        rows = session.execute(select(DeadlineWarning.transfer_id, DeadlineWarning.deadline_kind,
                                      DeadlineWarning.lead_seconds).order_by(DeadlineWarning.id))
        return [(t, k, s) for t, k, s in rows]


def deadline_alarms(engine: Engine, open_only: bool = False) -> list[str]:
    with Session(engine) as session:
        stmt = select(Alarm.key).where(Alarm.kind == "deadline_warning").order_by(Alarm.id)
        if open_only:
            stmt = stmt.where(Alarm.resolved_at.is_(None))
        return list(session.scalars(stmt))


def expire_audits(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT transfer_id FROM audit_log WHERE action = 'expire' ORDER BY transfer_id"))]


def test_sweep_expires_lapsed_transfers_as_the_bot(engine, make_transfer):
    now = _now()
    late = make_transfer(accept_by=now - timedelta(seconds=5))
    lapsed_hold = make_transfer(notice=True, hold_expires_at=now - timedelta(seconds=5),
                                accept_by=now - timedelta(seconds=1))
    fine = make_transfer(accept_by=now + timedelta(days=3))
    report = DeadlineService(engine, "worker-1", role=Role.BOT).sweep()
    assert not report.skipped
    assert sorted(report.expired) == sorted([late.row.id, lapsed_hold.row.id])
    assert fine.row.id not in report.expired
    assert expire_audits(engine) == sorted([late.row.id, lapsed_hold.row.id])
    with engine.connect() as conn:
        swept_by = conn.execute(text("SELECT swept_by, expired FROM deadline_sweep")).one()
    assert tuple(swept_by) == ("worker-1", 2)


def test_a_sweep_skips_while_another_process_holds_the_lock(engine, make_transfer):
    late = make_transfer(accept_by=_now() - timedelta(seconds=5))
    sweeper = DeadlineService(engine, "desk", role=Role.STAFF)
    with engine.connect() as other, other.begin():  # another process, mid-sweep
        other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK_KEY})
        assert sweeper.sweep().skipped
        assert expire_audits(engine) == []
    assert sweeper.sweep().expired == (late.row.id,)


def test_concurrent_sweepers_never_double_process(engine, make_transfer):
    now = _now()
    late = [make_transfer(accept_by=now - timedelta(seconds=1)).row.id for _ in range(30)]
    soon = [make_transfer(accept_by=now + timedelta(minutes=30)).row.id for _ in range(30)]
    sweepers = [DeadlineService(engine, f"sweeper-{n}", role=Role.BOT) for n in range(4)]
    barrier = threading.Barrier(len(sweepers), timeout=30)
    reports, errors = [], []

    def sweep(service: DeadlineService) -> None:
        try:
            for _ in range(5):
                barrier.wait()
                reports.append(service.sweep())
        except Exception as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=sweep, args=(s,)) for s in sweepers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(reports) == 20
    assert sorted(i for r in reports for i in r.expired) == sorted(late)
    assert expire_audits(engine) == sorted(late)  # one expire row each
    assert sorted(w.transfer_id for r in reports for w in r.warned) == sorted(soon)
    assert sorted(t for t, _, _ in warnings(engine)) == sorted(soon)
    assert len(deadline_alarms(engine)) == len(soon)


def test_each_warning_once_per_lead_time(engine, make_transfer):
    now = _now()
    t = make_transfer(accept_by=now + timedelta(hours=3),
                      event_starts_at=now + timedelta(hours=30),
                      hold_expires_at=now + timedelta(days=10))
    sweeper = DeadlineService(engine, "w", role=Role.BOT)
    first = sweeper.sweep(now)
    assert [(w.warning.kind.value, w.warning.lead) for w in first.warned] == [
        ("accept_by", timedelta(hours=4))]  # the tightest lead crossed, not a stale 24 h too
    assert "accept window closes in 3h 00m" in first.warned[0].message
    assert sweeper.sweep(now + timedelta(minutes=1)).warned == ()
    assert warnings(engine) == [(t.row.id, "accept_by", 4 * 3600)]

    later = now + timedelta(hours=6, minutes=1)  # event 23h59m ahead; accept-by lapsed
    t2 = make_transfer(accept_by=now + timedelta(hours=8), event_starts_at=now + timedelta(
        hours=9))
    second = sweeper.sweep(now + timedelta(hours=7, minutes=5))
    kinds = sorted((w.transfer_id, w.warning.kind.value, w.warning.lead) for w in second.warned)
    assert kinds == sorted([(t2.row.id, "accept_by", timedelta(hours=1)),
                            (t2.row.id, "event_start", timedelta(hours=4))])
    assert second.expired == (t.row.id,)
    assert sweeper.sweep(later + timedelta(hours=1)).warned == ()
    assert len(warnings(engine)) == 3
    # t expired: its warning alarm is closed; t2 has one open alarm per deadline kind
    assert sorted(deadline_alarms(engine, open_only=True)) == sorted([
        f"transfer:{t2.row.id}:accept_by:1h", f"transfer:{t2.row.id}:event_start:4h"])


def test_a_tighter_warning_replaces_the_earlier_alarm(engine, make_transfer):
    now = _now()
    t = make_transfer(accept_by=now + timedelta(hours=20))
    sweeper = DeadlineService(engine, "w", role=Role.BOT)
    assert [w.warning.lead for w in sweeper.sweep(now).warned] == [timedelta(hours=24)]
    assert [w.warning.lead for w in sweeper.sweep(now + timedelta(hours=17)).warned] == [
        timedelta(hours=4)]
    assert deadline_alarms(engine) == [f"transfer:{t.row.id}:accept_by:24h",
                                       f"transfer:{t.row.id}:accept_by:4h"]
    assert deadline_alarms(engine, open_only=True) == [f"transfer:{t.row.id}:accept_by:4h"]


def test_no_warnings_for_closed_transfers_and_their_alarms_close(engine, staff, make_transfer):
    now = _now()
    t = make_transfer(accept_by=now + timedelta(minutes=50))
    sweeper = DeadlineService(engine, "w", role=Role.BOT)
    assert len(sweeper.sweep(now).warned) == 1
    staff.manual_verify(t.row.id, t.row.version, "seen in My Account",
                        uploads=[Upload("ok.png", PNG)])
    report = sweeper.sweep(now + timedelta(minutes=1))
    assert report.resolved == 1 and report.warned == ()
    assert deadline_alarms(engine, open_only=True) == []
    closed = make_transfer(accept_by=now + timedelta(minutes=30))
    staff.manual_reject(closed.row.id, closed.row.version, "seller cancelled",
                        uploads=[Upload("no.png", PNG)])
    assert sweeper.sweep(now + timedelta(minutes=2)).warned == ()
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM transfers WHERE id = :i"),
                              {"i": t.row.id}).scalar_one()
    assert status == Status.VERIFIED.value


def test_a_desk_sweeps_only_when_no_other_sweeper_did(engine, make_transfer):
    desk = DeadlineService(engine, "Dana (desk 3)", role=Role.STAFF, sweeper_id="desk:h:1")
    worker = DeadlineService(engine, "h:2", role=Role.BOT)
    assert desk.last_sweep() is None
    assert not desk.sweep_if_unattended(max_age=60).skipped  # nobody ever swept
    late = make_transfer(accept_by=_now() - timedelta(seconds=1))
    assert desk.sweep_if_unattended(max_age=60).expired == (late.row.id,)  # its own: go on
    assert worker.sweep().expired == ()
    later = make_transfer(accept_by=_now() - timedelta(seconds=1))
    assert desk.sweep_if_unattended(max_age=60).skipped  # a worker swept moments ago
    assert expire_audits(engine) == [late.row.id]
    assert desk.sweep_if_unattended(max_age=0).expired == (later.row.id,)  # it went quiet
    last = desk.last_sweep()
    assert last is not None and last[0] < 10 and last[1] == "desk:h:1"


def test_a_retry_near_the_deadline_comes_sooner_and_never_after_it(engine, make_transfer):
    claims = ClaimService(engine, role=Role.BOT, max_attempts=10)
    deadline = _now() + timedelta(minutes=20)
    t = make_transfer(notice=True, accept_by=deadline)
    for attempt in range(1, 8):  # plain doubling would wait 4, 8, 16, 30 min by now
        claim = claims.claim("w", transfer_id=t.row.id)
        result = claims.record_outcome(claim.run_id, "w", "portal_error", "502")
        assert result.action == "run_retry" and claim.attempt == attempt
        retry_at = result.transfer.row.next_attempt_at
        assert retry_at is not None and retry_at <= _now() + timedelta(minutes=2, seconds=25)
        assert retry_at <= deadline - timedelta(minutes=2)


def test_no_retry_fits_before_the_deadline_so_a_person_decides(engine, bot_claims,
                                                               make_transfer):
    t = make_transfer(notice=True, accept_by=_now() + timedelta(minutes=2, seconds=5))
    claim = bot_claims.claim("w", transfer_id=t.row.id)
    result = bot_claims.record_outcome(claim.run_id, "w", "timeout", "page load")
    assert result.action == "run_needs_review"
    assert result.transfer.row.status is Status.NEEDS_REVIEW
    assert result.transfer.row.next_attempt_at is None
    assert "no retry fits before the deadline" in result.run.detail


def test_a_backlog_is_warned_over_several_sweeps_most_urgent_first(engine, make_transfer):
    """A sweep raises at most ``max_warnings`` (a 100k backlog must not hold one transaction
    for minutes); the next sweep raises the rest, the nearest deadlines first."""
    now = _now()
    transfers = [make_transfer(accept_by=now + timedelta(minutes=30 + 5 * n)) for n in range(5)]
    sweeper = DeadlineService(engine, "worker-1", role=Role.BOT)
    sweeper.max_warnings = 2
    first = sweeper.sweep()
    assert [w.transfer_id for w in first.warned] == [t.row.id for t in transfers[:2]]
    second = sweeper.sweep()
    assert [w.transfer_id for w in second.warned] == [t.row.id for t in transfers[2:4]]
    assert len(sweeper.sweep().warned) == 1 and sweeper.sweep().warned == ()
    assert len(warnings(engine)) == 5
