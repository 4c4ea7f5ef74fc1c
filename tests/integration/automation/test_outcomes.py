"""Every run outcome against the sandbox portal, recorded in the real database."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.db.models import AuditLog, Evidence, Run, Transfer
from app.domain.states import Status
from automation.runs.events import Frame, LogLine, RunFinished, StepFinished, StepStarted
from automation.runs.outcomes import Outcome
from automation.runs.runner import AbortSignal
from tests.integration.automation.conftest import SITE, World


def _transfer(world: World, transfer_id: int) -> Transfer:
    with world.engine.connect() as conn:
        row = conn.execute(select(Transfer).where(Transfer.id == transfer_id)).one()
    return row  # type: ignore[no-any-return]


def _evidence(world: World, transfer_id: int) -> list[tuple[str, str, int]]:
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(Evidence.kind, Evidence.content_type, Evidence.size)
            .where(Evidence.transfer_id == transfer_id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_accepts_verifies_and_records_evidence(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)

    result = world.run(transfer_id)

    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert result.status == Status.VERIFIED.value
    assert world.portal.accept_counts()[sent.token] == 1
    row = _transfer(world, transfer_id)
    assert row.status == "verified" and row.method == "auto" and row.claimed_by is None
    kinds = sorted(kind for kind, _, _ in _evidence(world, transfer_id))
    assert kinds == ["screenshot", "trace"]
    with world.engine.connect() as conn:
        run = conn.execute(select(Run).where(Run.transfer_id == transfer_id)).one()
        actions = conn.scalars(select(AuditLog.action).where(
            AuditLog.transfer_id == transfer_id).order_by(AuditLog.id)).all()
    assert run.outcome == "accepted" and run.trace_evidence_id is not None
    assert actions[-2:] == ["claim", "run_verified"]
    steps = [e.step for e in world.of_type(StepStarted)]
    assert steps == ["sign_in", "open_transfer", "accept", "confirm_ownership"]
    assert all(e.ok for e in world.of_type(StepFinished))
    assert world.of_type(Frame), "live frames reach the bus"
    assert all(f.jpeg[:2] == b"\xff\xd8" for f in world.of_type(Frame))
    assert world.of_type(LogLine)
    finished = world.of_type(RunFinished)
    assert [(f.outcome, f.status) for f in finished] == [("accepted", "verified")]


def test_rerun_of_accepted_transfer_is_already_accepted_not_a_second_accept(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.state.accept(sent.token)  # accepted earlier (a crashed run, or by hand)

    result = world.run(transfer_id)

    assert result.outcome is Outcome.ALREADY_ACCEPTED, result.detail
    assert result.status == "verified"
    assert world.portal.accept_counts()[sent.token] == 1


def test_open_from_pending_list_without_accept_link(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account, with_link=False)
    world.profile = "sandbox_paciolan"
    result = world.run(transfer_id)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[sent.token] == 1


def test_expired_on_portal(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account, expires_in_hours=0.0001)
    world.portal.advance_clock(5)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.EXPIRED_ON_PORTAL, result.detail
    assert result.status == "needs_review"


def test_cancelled_by_sender(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.cancel_transfer(sent.token)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.CANCELLED_BY_SENDER, result.detail
    assert result.status == "needs_review"
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_not_found(world: World) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    with world.engine.begin() as conn:
        conn.execute(Transfer.__table__.update().where(Transfer.id == transfer_id).values(
            accept_url=world.portal.site_url("state-u") + "/transfer/no-such-token"))
    result = world.run(transfer_id)
    assert result.outcome is Outcome.NOT_FOUND, result.detail
    assert result.status == "needs_review"


def test_wrong_tickets_is_refused_before_accepting(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account, wrong_seats=True)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.WRONG_TICKETS, result.detail
    assert "expected 5, 6" in result.detail
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_login_failed_with_wrong_password(world: World) -> None:
    account = world.account(keyring_password="not-the-password")
    transfer_id, _ = world.transfer(account)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.LOGIN_FAILED, result.detail
    assert "incorrect" in result.detail
    assert result.status == "needs_review"


def test_aborted_at_the_next_safe_point(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    abort = AbortSignal()
    world.bus.subscribe(
        lambda e: abort.abort() if e.step == "open_transfer" else None, StepFinished
    )
    result = world.run(transfer_id, abort=abort)
    assert result.outcome is Outcome.ABORTED
    assert result.status == "needs_review"
    assert world.portal.accept_counts().get(sent.token, 0) == 0
    assert [e.step for e in world.of_type(StepStarted)] == ["sign_in", "open_transfer"]


def test_abort_on_shutdown_releases_the_claim_instead(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    abort = AbortSignal()
    world.bus.subscribe(
        lambda e: abort.abort(release_claim=True) if e.step == "sign_in" else None, StepFinished
    )
    result = world.run(transfer_id, abort=abort)
    assert result.outcome is Outcome.ABORTED and result.status == "released"
    row = _transfer(world, transfer_id)
    assert (row.status, row.claimed_by) == ("notice_received", None)
    with world.engine.connect() as conn:
        run = conn.execute(select(Run).where(Run.transfer_id == transfer_id)).one()
    assert run.finished_at is not None and "released" in run.detail
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_success_after_the_lease_was_reaped_is_recorded_on_a_new_claim(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)

    def outlive_the_lease(event: StepStarted) -> None:
        if event.step == "confirm_ownership":
            with world.engine.begin() as conn:
                conn.execute(Transfer.__table__.update().values(
                    lease_until=datetime.now(UTC) - timedelta(seconds=1)))
            assert world.claims.reap_expired() == [transfer_id]

    world.bus.subscribe(outlive_the_lease, StepStarted)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.ACCEPTED and result.status == "verified"
    with world.engine.connect() as conn:
        details = conn.scalars(select(Run.detail).where(
            Run.transfer_id == transfer_id).order_by(Run.id)).all()
    assert details[0] == "lease expired" and "new claim" in details[-1]
    assert world.portal.accept_counts()[sent.token] == 1


def test_long_account_page_is_shot_as_the_viewport_with_the_seats(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account, seats=("41", "42"))
    for index in range(150):  # a busy account: My Account lists every pending transfer
        world.portal.create_transfer(
            SITE, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name=f"Other game {index}", event_starts_at=datetime.now(UTC) + timedelta(days=9),
            venue="Memorial Stadium", section="300", row="A", seats=["1"])

    result = world.run(transfer_id)

    assert result.outcome is Outcome.ACCEPTED, result.detail
    with world.engine.connect() as conn:
        shot = conn.scalars(select(Evidence.content).where(
            Evidence.transfer_id == transfer_id, Evidence.kind == "screenshot")).one()
    width, height = struct.unpack(">II", shot[16:24])  # the PNG header's IHDR
    assert (width, height) == (1280, 800), "a viewport shot, not a page thousands of px tall"
    texts = " ".join(e.message for e in world.of_type(LogLine))
    assert "screenshot failed" not in texts
    assert world.portal.accept_counts()[sent.token] == 1
