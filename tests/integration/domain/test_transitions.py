"""Every transition through the services against real PostgreSQL: legal, illegal, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app.domain.errors import (
    DomainError,
    IllegalTransitionError,
    NotFoundError,
    StaleVersionError,
)
from app.domain.states import Status
from app.evidence import Upload
from tests.integration.domain.conftest import NOW, PNG


def audit_actions(engine, transfer_id):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT action, from_status, to_status FROM audit_log WHERE transfer_id = :i"
            " ORDER BY id"), {"i": transfer_id})]


def test_create_then_notice_received(engine, staff, make_transfer):
    t = make_transfer()
    assert t.row.status is Status.AWAITING_NOTICE and t.row.version == 1
    assert t.row.quantity == 2 and t.row.due_at == t.row.accept_by
    deadline = NOW + timedelta(hours=70)
    t2 = staff.mark_notice_received(t.row.id, accept_url="https://p.example/a?t=1",
                                    transfer_ref="tok1", accept_by=deadline)
    assert t2.row.status is Status.NOTICE_RECEIVED and t2.row.version == 2
    assert (t2.accept_url, t2.transfer_ref) == ("https://p.example/a?t=1", "tok1")
    assert t2.row.accept_by == deadline and t2.notice_received_at is not None
    assert audit_actions(engine, t.row.id) == [
        ("create", None, "awaiting_notice"),
        ("notice_matched", "awaiting_notice", "notice_received"),
    ]


def test_duplicate_order_ref_is_refused(staff, make_transfer):
    t = make_transfer()
    with pytest.raises(DomainError, match="already has a transfer"):
        make_transfer(order_ref=t.row.order_ref)


def test_claim_retry_verify_path(engine, bot_claims, make_transfer):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("worker-1")
    assert claim is not None and claim.transfer.row.id == t.row.id and claim.attempt == 1
    assert claim.transfer.row.in_progress_by == "worker-1"
    retry = bot_claims.record_outcome(claim.run_id, "worker-1", "portal_error", "502 page")
    assert retry.action == "run_retry" and retry.transfer.row.status is Status.NOTICE_RECEIVED
    assert retry.transfer.row.next_attempt_at is not None
    assert bot_claims.claim("worker-1") is None  # backing off: not due yet
    again = bot_claims.claim("worker-1", transfer_id=t.row.id)  # explicit claim ignores backoff
    assert again is not None and again.attempt == 2
    done = bot_claims.record_outcome(again.run_id, "worker-1", "accepted", "seats seen")
    row = done.transfer
    assert row.row.status is Status.VERIFIED and row.method == "auto"
    assert row.verified_by == "worker-1" and row.row.claimed_by is None
    assert done.run.outcome == "accepted" and done.run.finished_at is not None
    assert [a[0] for a in audit_actions(engine, t.row.id)] == [
        "create", "notice_matched", "claim", "run_retry", "claim", "run_verified"]


def test_non_retryable_outcome_goes_to_review(bot_claims, make_transfer):
    make_transfer(notice=True)
    claim = bot_claims.claim("w")
    result = bot_claims.record_outcome(claim.run_id, "w", "bot_challenge")
    assert result.transfer.row.status is Status.NEEDS_REVIEW
    assert result.transfer.row.last_outcome == "bot_challenge"


def test_attempts_exhausted_go_to_review(bot_claims, make_transfer):
    t = make_transfer(notice=True)
    for attempt in (1, 2, 3):
        claim = bot_claims.claim("w", transfer_id=t.row.id)
        assert claim.attempt == attempt
        result = bot_claims.record_outcome(claim.run_id, "w", "timeout")
    assert result.action == "run_needs_review"
    assert result.transfer.row.status is Status.NEEDS_REVIEW


def test_release_returns_to_queue(bot_claims, make_transfer):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("w")
    released = bot_claims.release(t.row.id, "w", "operator closed the panel")
    assert released.row.status is Status.NOTICE_RECEIVED and released.row.claimed_by is None
    with pytest.raises(DomainError, match="no longer claimed"):
        bot_claims.record_outcome(claim.run_id, "w", "accepted")


def test_releases_do_not_use_up_attempts(bot_claims, make_transfer):
    t = make_transfer(notice=True)
    for _ in range(5):  # e.g. a worker stopped five times mid-run (deploys)
        claim = bot_claims.claim("w", transfer_id=t.row.id)
        assert claim.attempt == 1
        released = bot_claims.release(t.row.id, "w", "worker stopping")
    assert released.row.status is Status.NOTICE_RECEIVED and released.row.attempts == 0


@pytest.mark.parametrize("start", ["awaiting_notice", "notice_received", "accepting",
                                   "needs_review"])
@pytest.mark.parametrize("decision", ["verify", "reject"])
def test_manual_decisions_from_every_open_state(engine, staff, bot_claims, make_transfer,
                                                start, decision):
    t = make_transfer(notice=start != "awaiting_notice")
    if start in ("accepting", "needs_review"):
        claim = bot_claims.claim("w", transfer_id=t.row.id)
        if start == "needs_review":
            bot_claims.record_outcome(claim.run_id, "w", "wrong_tickets")
    version = _version(engine, t.row.id)
    method = staff.manual_verify if decision == "verify" else staff.manual_reject
    done = method(t.row.id, version, "checked My Account by hand",
                  uploads=[Upload("myaccount.png", PNG, "screenshot")])
    expected = Status.VERIFIED if decision == "verify" else Status.REJECTED
    assert done.row.status is expected and done.row.claimed_by is None
    assert done.decision_note == "checked My Account by hand"
    if decision == "verify":
        assert done.method == "manual" and done.verified_by == "Dana (desk 3)"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM evidence WHERE transfer_id = :i"),
                            {"i": t.row.id}).scalar_one() == 1
        open_runs = conn.execute(text(
            "SELECT count(*) FROM runs WHERE transfer_id = :i AND finished_at IS NULL"),
            {"i": t.row.id}).scalar_one()
    assert open_runs == 0


def _version(engine, transfer_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM transfers WHERE id = :i"),
                            {"i": transfer_id}).scalar_one()


def test_manual_decision_needs_evidence_and_note(staff, make_transfer):
    t = make_transfer()
    with pytest.raises(DomainError, match="evidence"):
        staff.manual_verify(t.row.id, t.row.version, "looks fine")
    with pytest.raises(DomainError, match="note"):
        staff.manual_reject(t.row.id, t.row.version, "  ", uploads=[Upload("a.png", PNG)])


def test_decided_transfer_cannot_be_decided_again(staff, make_transfer):
    t = make_transfer()
    done = staff.manual_reject(t.row.id, t.row.version, "seller cancelled",
                               uploads=[Upload("mail.txt", b"seller says no")])
    with pytest.raises(IllegalTransitionError, match="cannot manual verify: the transfer is"):
        staff.manual_verify(t.row.id, done.row.version, "oops",
                            uploads=[Upload("a.png", PNG)])


def test_stale_version_is_refused_and_nothing_written(engine, staff, make_transfer):
    t = make_transfer()
    staff.mark_notice_received(t.row.id, accept_url=None, transfer_ref="x", accept_by=None)
    with pytest.raises(StaleVersionError, match="changed by someone else"):
        staff.manual_reject(t.row.id, t.row.version, "dup", uploads=[Upload("a.png", PNG)])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM evidence")).scalar_one() == 0
    assert _version(engine, t.row.id) == 2


def test_expire_overdue(engine, staff, make_transfer, bot_claims):
    late = make_transfer(accept_by=NOW - timedelta(minutes=1))
    lapsed_hold = make_transfer(notice=True, hold_expires_at=NOW - timedelta(hours=1))
    fine = make_transfer()
    busy = make_transfer(notice=True, accept_by=NOW + timedelta(hours=1))
    bot_claims.claim("w", transfer_id=busy.row.id)
    expired = staff.expire_overdue(NOW + timedelta(minutes=1))
    assert sorted(expired) == sorted([late.row.id, lapsed_hold.row.id])
    assert audit_actions(engine, late.row.id)[-1] == ("expire", "awaiting_notice", "expired")
    assert fine.row.id not in expired and busy.row.id not in expired
    assert staff.expire_overdue(NOW + timedelta(minutes=1)) == []


def test_reopen_and_reassign_by_supervisor(engine, staff, supervisor, make_transfer):
    account = supervisor.add_account("paciolan", "https://a.example", "desk@example.com")
    other = supervisor.add_account("paciolan", "https://b.example", "desk@example.com")
    t = make_transfer(notice=True, account_id=account.id)
    moved = supervisor.reassign(t.row.id, t.row.version, other.id, "wrong site")
    assert moved.row.account_id == other.id and moved.row.status is Status.NOTICE_RECEIVED
    done = staff.manual_reject(t.row.id, moved.row.version, "no",
                               uploads=[Upload("why.txt", b"seller cancelled")])
    reopened = supervisor.reopen(t.row.id, done.row.version, "seller re-sent")
    assert reopened.row.status is Status.NOTICE_RECEIVED and reopened.row.attempts == 0
    with pytest.raises(IllegalTransitionError):
        supervisor.reopen(t.row.id, reopened.row.version, "again")
    with pytest.raises(NotFoundError):
        supervisor.reassign(t.row.id, reopened.row.version, 999_999)


def test_reopen_refused_after_capture(engine, staff, supervisor, make_transfer):
    t = make_transfer(escrow_status="held", payment_intent_id="pi_1", amount=5000)
    done = staff.manual_verify(t.row.id, t.row.version, "ok", uploads=[Upload("a.png", PNG)])
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET escrow_status = 'captured' WHERE id = :i"),
                     {"i": t.row.id})
    with pytest.raises(DomainError, match="already captured"):
        supervisor.reopen(t.row.id, done.row.version + 1, "mistake")


def test_claim_of_unclaimable_transfer_explains_why(bot_claims, make_transfer):
    waiting = make_transfer()
    with pytest.raises(IllegalTransitionError, match="awaiting_notice"):
        bot_claims.claim("w", transfer_id=waiting.row.id)
    ready = make_transfer(notice=True)
    bot_claims.claim("w1", transfer_id=ready.row.id)
    with pytest.raises(DomainError, match="already being accepted by w1"):
        bot_claims.claim("w2", transfer_id=ready.row.id)
    with pytest.raises(NotFoundError):
        bot_claims.claim("w", transfer_id=123_456)


def test_unknown_outcome_is_refused(bot_claims, make_transfer):
    make_transfer(notice=True)
    claim = bot_claims.claim("w")
    with pytest.raises(DomainError, match="unknown outcome 'exploded'"):
        bot_claims.record_outcome(claim.run_id, "w", "exploded")
