"""Retries: a lost reply, an unreachable Stripe, the failed state, many processors at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import stripe
from sqlalchemy import Engine

from app.domain.states import Role
from app.escrow.gateway import StripeGateway
from app.escrow.service import EscrowPolicy, EscrowService
from automation.sandbox.payments import TEST_API_KEY
from tests.integration.escrow.conftest import (
    Clock,
    audit_rows,
    decide,
    held_transfer,
    open_alarms,
    transfer_row,
)
from tests.integration.escrow.proxy import FlakyProxy


def test_lost_reply_is_retried_without_a_second_capture(
    engine: Engine, gateway: StripeGateway, service: EscrowService, proxy: FlakyProxy,
    clock: Clock, stripe_client: stripe.StripeClient,
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway, amount=9000)
    decide(engine, transfer_id, "verified")
    proxy.drop_reply(f"/{intent_id}/capture")  # Stripe captures; we never hear back

    [first] = service.process_due()

    assert first.escrow_status == "capture_pending" and "APIConnectionError" in str(first.error)
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"
    row = transfer_row(engine, transfer_id)
    assert row.escrow_status == "capture_pending" and row.escrow_error
    assert row.escrow_next_attempt_at is not None and row.escrow_next_attempt_at > clock.now
    assert service.process_due() == []  # backing off

    clock.advance(timedelta(hours=1))
    [second] = service.process_due()

    assert (second.escrow_status, second.amount_captured) == ("captured", 9000)
    assert proxy.count("POST", f"/{intent_id}/capture") == 1  # retrieve-first: no re-capture
    assert [a for a, _ in audit_rows(engine, transfer_id)] == [
        "escrow_hold_placed", "escrow_capture_retry_scheduled", "escrow_captured"]
    assert transfer_row(engine, transfer_id).escrow_error is None


def test_stripe_down_until_failed_then_retry_command_captures(
    engine: Engine, gateway: StripeGateway, clock: Clock, stripe_client: stripe.StripeClient,
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway)
    decide(engine, transfer_id, "verified")
    closed_port = StripeGateway(TEST_API_KEY, "http://127.0.0.1:9", max_network_retries=0,
                                timeout=2)
    down = EscrowService(engine, closed_port, clock=clock, policy=EscrowPolicy(max_attempts=2))

    assert down.process_due()[0].escrow_status == "capture_pending"
    clock.advance(timedelta(hours=2))
    assert down.process_due()[0].escrow_status == "failed"
    clock.advance(timedelta(hours=2))
    assert down.process_due() == []  # failed work waits for a human, never silently dropped

    key = f"transfer:{transfer_id}"
    assert ("escrow_failure", key) in open_alarms(engine)
    [problem] = down.problems()
    assert (problem.transfer_id, problem.escrow_status) == (transfer_id, "failed")
    assert "APIConnectionError" in (problem.escrow_error or "")
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "requires_capture"

    up = EscrowService(engine, gateway, clock=clock)
    assert up.retry() == [transfer_id]
    [result] = up.process_due()

    assert result.escrow_status == "captured"
    assert ("escrow_failure", key) not in open_alarms(engine)
    assert up.problems() == []
    actions = [a for a, _ in audit_rows(engine, transfer_id)]
    assert actions[-3:] == ["escrow_capture_failed", "escrow_retry_requested", "escrow_captured"]


def test_many_processors_capture_each_hold_exactly_once(
    engine: Engine, gateway: StripeGateway, proxy: FlakyProxy, proxied_gateway: StripeGateway,
) -> None:
    held = [held_transfer(engine, gateway, amount=1000 + i) for i in range(12)]
    for transfer_id, _ in held:
        decide(engine, transfer_id, "verified")
    workers = [EscrowService(engine, proxied_gateway, actor_name=f"w{i}", role=Role.BOT,
                             policy=EscrowPolicy(batch_size=3)) for i in range(4)]

    def drain(worker: EscrowService) -> list[int]:
        done: list[int] = []
        while batch := worker.process_due():
            done.extend(r.transfer_id for r in batch if r.escrow_status == "captured")
        return done

    with ThreadPoolExecutor(max_workers=4) as pool:
        captured = [tid for part in pool.map(drain, workers) for tid in part]

    assert sorted(captured) == sorted(tid for tid, _ in held)  # each once, by one worker
    for transfer_id, intent_id in held:
        assert proxy.count("POST", f"/{intent_id}/capture") == 1
        assert transfer_row(engine, transfer_id).escrow_status == "captured"
        assert [a for a, _ in audit_rows(engine, transfer_id)].count("escrow_captured") == 1
