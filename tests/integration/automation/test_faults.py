"""Every fault switch of the sandbox portal, retries with backoff, takeover and drift."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.db.models import Alarm, Evidence, Transfer
from automation.runs.events import TakeoverRequested
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World


def _row(world: World, transfer_id: int) -> Transfer:
    with world.engine.connect() as conn:
        return conn.execute(select(Transfer).where(Transfer.id == transfer_id)).one()  # type: ignore[no-any-return]


def test_server_errors_retry_with_backoff_then_needs_review(world: World) -> None:
    world.max_attempts = 2
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.run(transfer_id)  # signs in while the portal is healthy... then it breaks
    world.portal.set_faults(SITE, error_rate=1.0)
    # the first run already verified it; use a second transfer for the failures
    second_id, second = world.transfer(account)

    first = world.run(second_id)
    assert first.outcome is Outcome.PORTAL_ERROR, first.detail
    assert first.status == "notice_received"
    row = _row(world, second_id)
    assert row.attempts == 1 and row.claimed_by is None
    assert row.next_attempt_at is not None and row.next_attempt_at > datetime.now(UTC)
    assert world.claims.claim("other-worker") is None, "not due before its backoff"

    last = world.run(second_id)  # explicit claim ignores the backoff
    assert last.outcome is Outcome.PORTAL_ERROR
    assert last.status == "needs_review", "attempts exhausted"
    assert world.portal.accept_counts().get(second.token, 0) == 0


def test_latency_beyond_the_timeout_is_a_retryable_timeout(world: World) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    world.run(world.transfer(account)[0])  # sign in first, at full speed
    world.portal.set_faults(SITE, latency_ms=2500)
    result = world.run(transfer_id, timeout_ms=1000)
    assert result.outcome is Outcome.TIMEOUT, result.detail
    assert result.status == "notice_received"


def test_small_latency_still_accepts(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, latency_ms=150)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[sent.token] == 1


def test_session_expiry_mid_run_signs_in_again(world: World) -> None:
    account = world.account()
    warm_id, _ = world.transfer(account)
    assert world.run(warm_id).signed_in
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, session_expiry_after=3)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert result.signed_in, "the expired session was detected and renewed"
    assert world.portal.accept_counts()[sent.token] == 1
    with world.engine.connect() as conn:
        traces = conn.scalars(select(Evidence.filename).where(
            Evidence.transfer_id == transfer_id, Evidence.kind == "trace")).all()
    assert len(traces) >= 2, "the trace was split around the untraced sign-in"


def test_bot_challenge_in_a_headless_worker_needs_review_with_alarm(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, bot_challenge=True)
    result = world.run(transfer_id)
    assert result.outcome is Outcome.BOT_CHALLENGE, result.detail
    assert result.status == "needs_review"
    with world.engine.connect() as conn:
        kinds = conn.scalars(select(Alarm.kind)).all()
    assert "bot_challenge" in kinds
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_bot_challenge_on_the_desktop_pauses_for_a_takeover(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, bot_challenge=True)

    def operator(event: TakeoverRequested) -> None:
        # the human passes the challenge in the headed browser, then hands back
        world.portal.set_faults(SITE, bot_challenge=False)
        event.answer.set("done")

    world.bus.subscribe(operator, TakeoverRequested)
    result = world.run(transfer_id, interactive=True)
    assert world.of_type(TakeoverRequested), "the run asked for a human"
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[sent.token] == 1


def test_declined_takeover_ends_bot_challenge(world: World) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    world.portal.set_faults(SITE, bot_challenge=True)
    world.bus.subscribe(lambda e: e.answer.set(None), TakeoverRequested)
    result = world.run(transfer_id, interactive=True)
    assert result.outcome is Outcome.BOT_CHALLENGE
    assert "declined" in result.detail


def test_alternate_layout_is_selector_drift_then_a_profile_fixes_it(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, layout="alternate")
    result = world.run(transfer_id)
    assert result.outcome is Outcome.SELECTOR_DRIFT, result.detail
    assert "not found" in result.detail
    with world.engine.connect() as conn:
        alarms = conn.execute(select(Alarm.kind, Alarm.message)).all()
        shots = conn.scalars(select(Evidence.kind).where(
            Evidence.transfer_id == transfer_id)).all()
    assert any(kind == "selector_drift" for kind, _ in alarms)
    assert "screenshot" in shots

    fixed_id, fixed = world.transfer(account)
    world.profile = "sandbox_paciolan_alt"
    result = world.run(fixed_id)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[fixed.token] == 1
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_unexpected_page_on_the_desktop_asks_a_human_once_per_step(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, layout="alternate")
    reasons: list[str] = []

    def operator(event: TakeoverRequested) -> None:
        # the human finishes the step by hand (here: the portal's usual page is back)
        reasons.append(event.reason)
        world.portal.set_faults(SITE, layout="normal")
        event.answer.set("done")

    world.bus.subscribe(operator, TakeoverRequested)
    result = world.run(transfer_id, interactive=True)
    assert len(reasons) == 1 and reasons[0].startswith("the page is not what the run expects")
    assert "not found" in reasons[0]
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[sent.token] == 1


def test_declined_takeover_on_an_unexpected_page_is_selector_drift(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, layout="alternate")
    world.bus.subscribe(lambda e: e.answer.set(None), TakeoverRequested)
    result = world.run(transfer_id, interactive=True)
    assert result.outcome is Outcome.SELECTOR_DRIFT
    assert "not found" in result.detail and "declined" in result.detail
    assert world.portal.accept_counts().get(sent.token, 0) == 0


def test_locked_account_is_login_failed(world: World) -> None:
    account = world.account(keyring_password="wrong")
    results = [world.run(world.transfer(account)[0]) for _ in range(4)]
    assert [r.outcome for r in results] == [Outcome.LOGIN_FAILED] * 4
    assert "incorrect" in results[0].detail
    assert "locked" in results[-1].detail, results[-1].detail
