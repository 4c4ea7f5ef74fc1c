"""The whole chain with the real domain service: decision committed first, then money moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import stripe
from sqlalchemy import Engine

from app.domain.records import NewTransfer
from app.escrow.gateway import StripeGateway
from app.escrow.service import EscrowService
from app.evidence import Upload
from app.services.transfers import TransferService
from automation.demo.holds import place_holds
from tests.integration.escrow.conftest import audit_rows, transfer_row

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_decisions_by_the_domain_service_move_the_money(
    engine: Engine, gateway: StripeGateway, service: EscrowService,
    stripe_client: stripe.StripeClient,
) -> None:
    transfers = TransferService(engine, actor_name="Dana (desk 3)")
    soon = datetime.now(UTC) + timedelta(days=2)
    ids = [transfers.create(NewTransfer(order_ref=f"DOM-{n}", event_name="Finals", amount=8000,
                                        accept_by=soon)).row.id for n in range(3)]
    intents = place_holds(engine, gateway, ids)
    verify_id, reject_id, expire_id = ids
    proof = [Upload("accepted.png", PNG)]

    version = transfer_row(engine, verify_id).version
    transfers.manual_verify(verify_id, version, "seen in My Account", uploads=proof)
    version = transfer_row(engine, reject_id).version
    transfers.manual_reject(reject_id, version, "wrong seats", uploads=proof)
    assert transfers.expire_overdue(now=soon + timedelta(minutes=1)) == [expire_id]

    results = {r.transfer_id: r.escrow_status for r in service.process_due()}

    assert results == {verify_id: "captured", reject_id: "cancelled", expire_id: "cancelled"}
    retrieve = stripe_client.v1.payment_intents.retrieve
    assert retrieve(intents[verify_id]).status == "succeeded"
    assert retrieve(intents[reject_id]).status == "canceled"
    assert retrieve(intents[expire_id]).status == "canceled"
    actions = [a for a, _ in audit_rows(engine, verify_id)]
    assert actions.index("manual_verify") < actions.index("escrow_captured")
