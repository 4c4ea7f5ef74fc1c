"""Reconcile with Stripe, hold-expiry warnings and lapsed authorizations."""

from __future__ import annotations

from datetime import timedelta

import stripe
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from app.db.models import Transfer
from app.escrow.gateway import StripeGateway
from app.escrow.reconcile import check_holds, reconcile
from app.escrow.service import EscrowService
from tests.integration.escrow.conftest import (
    Clock,
    add_transfer,
    audit_rows,
    decide,
    held_transfer,
    open_alarms,
    transfer_row,
)


def test_reconcile_records_what_happened_elsewhere(
    engine: Engine, gateway: StripeGateway, service: EscrowService,
    stripe_client: stripe.StripeClient,
) -> None:
    captured_id, captured_pi = held_transfer(engine, gateway, amount=3000)
    cancelled_id, cancelled_pi = held_transfer(engine, gateway)
    untouched_id, _ = held_transfer(engine, gateway)
    decide(engine, cancelled_id, "verified")
    stripe_client.v1.payment_intents.capture(captured_pi)  # e.g. in the Dashboard
    stripe_client.v1.payment_intents.cancel(cancelled_pi)
    # A transfer whose intent id arrived without local escrow state:
    bare_pi = gateway.create_held_intent(2500, "usd", "bare-hold", {}).id
    bare_id = add_transfer(engine, amount=2500, payment_intent_id=bare_pi)

    report = reconcile(service)

    assert report.checked == 4 and report.errors == []
    assert {(f.transfer_id, f.before, f.after) for f in report.fixes} == {
        (captured_id, "held", "captured"),
        (cancelled_id, "held", "cancelled"),
        (bare_id, "none", "held"),
    }
    assert transfer_row(engine, captured_id).escrow_status == "captured"
    assert transfer_row(engine, cancelled_id).escrow_status == "cancelled"
    assert transfer_row(engine, untouched_id).escrow_status == "held"
    assert transfer_row(engine, bare_id).hold_expires_at is not None
    action, detail = audit_rows(engine, captured_id)[-1]
    assert action == "escrow_reconciled"
    assert (detail["escrow_from"], detail["escrow_to"], detail["amount_captured"]) == (
        "held", "captured", 3000)
    # Money moved against the decision record: staff must look.
    assert {("escrow_mismatch", f"transfer:{captured_id}"),
            ("escrow_mismatch", f"transfer:{cancelled_id}")} <= open_alarms(engine)
    assert reconcile(service).fixes == []  # idempotent
    listed = {intent.id: intent.status for intent in gateway.iter_intents(page_size=2)}
    assert (listed[captured_pi], listed[cancelled_pi], listed[bare_pi]) == (
        "succeeded", "canceled", "requires_capture")
    assert service.process_due() == []  # nothing left to capture or cancel


def test_hold_expiry_warns_then_records_lapse(
    engine: Engine, gateway: StripeGateway, service: EscrowService, clock: Clock,
) -> None:
    transfer_id, _ = held_transfer(engine, gateway)
    with Session(engine) as session, session.begin():  # forget the expiry: it is re-read
        session.execute(update(Transfer).where(Transfer.id == transfer_id)
                        .values(hold_expires_at=None))

    assert check_holds(service).warned == []
    expires = transfer_row(engine, transfer_id).hold_expires_at
    assert expires is not None and expires > clock.now + timedelta(days=6)

    clock.now = expires - timedelta(hours=5)  # inside the 24 h warning window
    assert check_holds(service).warned == [transfer_id]
    assert check_holds(service).warned == []  # warned once, not on every pass
    assert ("escrow_hold_expiring", f"transfer:{transfer_id}") in open_alarms(engine)
    assert [p.transfer_id for p in service.problems()] == [transfer_id]

    clock.now = expires + timedelta(minutes=1)
    report = check_holds(service)

    assert [(f.transfer_id, f.after) for f in report.fixes] == [(transfer_id, "lapsed")]
    assert transfer_row(engine, transfer_id).escrow_status == "lapsed"
    assert ("escrow_lapsed", f"transfer:{transfer_id}") in open_alarms(engine)
    decide(engine, transfer_id, "verified")  # too late: nothing is captured
    assert service.process_due() == []
    [problem] = service.problems()
    assert (problem.transfer_id, problem.status, problem.escrow_status) == (
        transfer_id, "verified", "lapsed")
    actions = [a for a, _ in audit_rows(engine, transfer_id)]
    assert actions == ["escrow_hold_placed", "escrow_hold_checked", "escrow_hold_expiring",
                       "escrow_hold_checked"]
