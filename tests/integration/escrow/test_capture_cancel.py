"""Capture on verify, partial capture, cancel on reject / expiry, against localstripe."""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import Engine

from app.escrow.gateway import StripeGateway
from app.escrow.service import EscrowChanged, EscrowService
from app.events import EventBus
from tests.integration.escrow.conftest import (
    add_transfer,
    audit_rows,
    decide,
    held_transfer,
    transfer_row,
)
from tests.integration.escrow.proxy import FlakyProxy


def test_hold_is_placed_with_its_expiry(
    engine: Engine, gateway: StripeGateway, stripe_client: stripe.StripeClient
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway, amount=4200)

    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    row = transfer_row(engine, transfer_id)
    assert (intent.status, intent.capture_method, intent.amount) == (
        "requires_capture", "manual", 4200)
    assert row.escrow_status == "held" and row.payment_intent_id == intent_id
    assert row.hold_expires_at is not None
    # localstripe gives no capture_before: created + 7 days.
    assert int(row.hold_expires_at.timestamp()) == intent.created + 7 * 24 * 3600
    assert [action for action, _ in audit_rows(engine, transfer_id)] == ["escrow_hold_placed"]


def test_capture_only_after_verified_decision(
    engine: Engine, gateway: StripeGateway, service: EscrowService, proxy: FlakyProxy,
    stripe_client: stripe.StripeClient,
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway, amount=7500)
    service.events = EventBus()
    seen: list[EscrowChanged] = []
    service.events.subscribe(seen.append, EscrowChanged)

    assert service.process_due() == []  # no decision yet: the hold stays
    decide(engine, transfer_id, "verified")
    results = service.process_due()

    assert [(r.transfer_id, r.escrow_status, r.amount_captured) for r in results] == [
        (transfer_id, "captured", 7500)]
    intent = stripe_client.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "succeeded"
    row = transfer_row(engine, transfer_id)
    assert (row.escrow_status, row.escrow_attempts, row.escrow_error) == ("captured", 1, None)
    assert row.escrow_updated_at is not None
    action, detail = audit_rows(engine, transfer_id)[-1]
    assert action == "escrow_captured"
    assert detail["amount_captured"] == 7500
    assert detail["idempotency_key"] == f"transfer:{transfer_id}:capture"
    assert proxy.count("POST", f"/{intent_id}/capture") == 1
    assert seen == [EscrowChanged(transfer_id, "captured")]
    assert service.process_due() == []  # nothing left, nothing captured again


def test_partial_capture_of_verified_seats(
    engine: Engine, gateway: StripeGateway, service: EscrowService,
    stripe_client: stripe.StripeClient,
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway, amount=10000)
    decide(engine, transfer_id, "verified", amount_to_capture=6000)

    [result] = service.process_due()

    assert (result.escrow_status, result.amount_captured) == ("captured", 6000)
    charge = stripe_client.v1.payment_intents.retrieve(
        intent_id, {"expand": ["latest_charge"]}).to_dict()["latest_charge"]
    assert charge["captured"] is True and charge["amount_refunded"] == 4000
    assert audit_rows(engine, transfer_id)[-1][1]["amount_captured"] == 6000


@pytest.mark.parametrize("decision", ["rejected", "expired"])
def test_cancel_on_reject_and_on_expiry(
    decision: str, engine: Engine, gateway: StripeGateway, service: EscrowService,
    proxy: FlakyProxy, stripe_client: stripe.StripeClient,
) -> None:
    transfer_id, intent_id = held_transfer(engine, gateway)
    decide(engine, transfer_id, decision)

    [result] = service.process_due()

    assert result.escrow_status == "cancelled"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert proxy.count("POST", f"/{intent_id}/capture") == 0
    assert proxy.count("POST", f"/{intent_id}/cancel") == 1
    assert transfer_row(engine, transfer_id).escrow_status == "cancelled"
    action, detail = audit_rows(engine, transfer_id)[-1]
    assert (action, detail["idempotency_key"]) == (
        "escrow_cancelled", f"transfer:{transfer_id}:cancel")


def test_intent_imported_without_escrow_state_is_captured(
    engine: Engine, gateway: StripeGateway, service: EscrowService,
    stripe_client: stripe.StripeClient,
) -> None:
    intent = gateway.create_held_intent(6100, "usd", "imported-order", {})
    transfer_id = add_transfer(engine, amount=6100, payment_intent_id=intent.id)
    assert transfer_row(engine, transfer_id).escrow_status == "none"
    decide(engine, transfer_id, "verified")

    [result] = service.process_due()

    assert (result.escrow_status, result.amount_captured) == ("captured", 6100)
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
