"""Place buyer holds for generated transfers (the demo and the sandbox; test mode only).

In production the marketplace backend creates each order's PaymentIntent. For the demo, the
sandbox and the tests, :func:`place_holds` plays that part against localstripe: for every
transfer with an amount and no PaymentIntent yet, it creates a ``capture_method="manual"``
intent on ``pm_card_visa``, confirms it (the card is authorized: ``requires_capture``), and
stores its id, ``escrow_status = 'held'`` and ``hold_expires_at``, with an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import Transfer
from app.domain.states import EscrowStatus
from app.escrow import repository as repo
from app.escrow.gateway import IntentSnapshot, StripeGateway
from app.escrow.mode import EscrowConfigError, StripeMode
from app.escrow.service import utc_now


def create_held_intent(
    gateway: StripeGateway, transfer_id: int, order_ref: str, amount: int, currency: str = "usd"
) -> IntentSnapshot:
    """Create a confirmed manual-capture PaymentIntent for one transfer (test mode only).

    The idempotency key is ``order:{order_ref}:hold``: one hold per marketplace order.

    Raises:
        EscrowConfigError: the gateway is in live mode.
    """
    if gateway.mode is not StripeMode.TEST:
        raise EscrowConfigError("refusing to create sandbox holds with a live Stripe key")
    return gateway.create_held_intent(
        amount, currency, f"order:{order_ref}:hold",
        {"transfer_id": str(transfer_id), "order_ref": order_ref},
    )


def place_holds(
    engine: Engine,
    gateway: StripeGateway,
    transfer_ids: Sequence[int] | None = None,
    actor_name: str = "sandbox",
) -> dict[int, str]:
    """Give every listed transfer (default: all) without a PaymentIntent a confirmed hold.

    Returns:
        ``{transfer id: PaymentIntent id}`` for the holds created now.
    """
    stmt = select(Transfer.id, Transfer.order_ref, Transfer.amount, Transfer.currency).where(
        Transfer.payment_intent_id.is_(None), Transfer.amount.is_not(None), Transfer.amount > 0
    )
    if transfer_ids is not None:
        stmt = stmt.where(Transfer.id.in_(list(transfer_ids)))
    with Session(engine) as session:
        wanted = [(row.id, row.order_ref, int(row.amount or 0), row.currency)
                  for row in session.execute(stmt)]
    created: dict[int, str] = {}
    for transfer_id, order_ref, amount, currency in wanted:
        intent = create_held_intent(gateway, transfer_id, order_ref, amount, currency)
        with Session(engine) as session, session.begin():
            stored = repo.set_escrow(
                session, transfer_id, EscrowStatus.NONE.value, utc_now(),
                payment_intent_id=intent.id, escrow_status=EscrowStatus.HELD.value,
                hold_expires_at=intent.hold_expires_at,
            )
            if stored:
                repo.add_audit(session, transfer_id, "escrow_hold_placed", actor_name, {
                    "payment_intent_id": intent.id, "amount": intent.amount,
                    "currency": intent.currency,
                    "hold_expires_at": intent.hold_expires_at.isoformat(),
                })
                created[transfer_id] = intent.id
    return created
