"""Apply one checked order inside the caller's transaction: create, no-op, update or cancel.

The caller wraps each call in a savepoint, so a rejected or failed row leaves nothing behind
while the rest of its batch goes on. The existing transfer is locked (``FOR UPDATE``); two
appliers creating the same new order meet on the unique order ref, and the loser retries
(then sees the winner's transfer). A payment intent is locked with an advisory lock, so two
orders can never race onto one intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import PortalAccount, Transfer
from app.domain.states import Action, EscrowStatus, Status
from app.intake.orders import OrderError, OrderRequest
from app.repositories import claims as claim_repo
from app.repositories import transfers as repo
from app.services import transitions

#: Row answers written back to the inbox (and shown by file imports).
APPLIED, DUPLICATE, UPDATED, REJECTED = "applied", "duplicate", "updated", "rejected"
#: States whose order facts may still change or be cancelled.
CHANGEABLE = (Status.AWAITING_NOTICE.value, Status.NOTICE_RECEIVED.value,
              Status.NEEDS_REVIEW.value)


@dataclass(frozen=True)
class RowResult:
    """What one order did: its status, the transfer and a one-line reason (or change list)."""

    status: str
    transfer_id: int | None = None
    reason: str = ""


def apply_order(session: Session, request: OrderRequest, actor_name: str,
                source: dict[str, Any]) -> RowResult:
    """Apply ``request``; ``source`` (e.g. ``{"inbox_id": 7}``) goes into the audit detail.

    Raises:
        OrderError: with the reason; the caller rolls the savepoint back.
    """
    existing = session.scalars(
        select(Transfer).where(Transfer.order_ref == request.order_ref).with_for_update()
    ).one_or_none()
    if request.kind == "cancel":
        return _cancel(session, existing, request, actor_name, source)
    facts = dict(request.facts)
    _resolve_account(session, facts, request.site_url)
    if intent := facts.get("payment_intent_id"):
        _lock(session, "intent:" + intent)
        other = session.scalar(select(Transfer.order_ref).where(
            Transfer.payment_intent_id == intent, Transfer.order_ref != request.order_ref))
        if other is not None:
            raise OrderError(f"payment_intent_id {intent} is already linked to order {other}")
    if existing is None:
        return _create(session, request.order_ref, facts, actor_name, source)
    return _update(session, existing, facts, actor_name, source)


def _lock(session: Session, key: str) -> None:
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def _resolve_account(session: Session, facts: dict[str, Any], site_url: str | None) -> None:
    account: PortalAccount | None = None
    if "account_id" in facts:
        account = session.get(PortalAccount, facts["account_id"])
        if account is None:
            raise OrderError(f"portal account {facts['account_id']} does not exist")
        if not account.active:
            raise OrderError(f"portal account {account.id} ({account.username}) is retired: "
                             "it takes no new transfers")
    elif site_url:
        wanted = site_url.rstrip("/").lower()
        found = [a for a in session.scalars(select(PortalAccount).where(PortalAccount.active))
                 if a.site_url.rstrip("/").lower() == wanted]
        if not found:
            raise OrderError(f"no portal account for site_url {site_url}")
        if len(found) > 1:
            raise OrderError(f"site_url {site_url} has {len(found)} portal accounts; "
                                "give account_id")
        account = found[0]
        facts["account_id"] = account.id
    if account is not None:
        if facts.setdefault("platform", account.platform) != account.platform:
            raise OrderError(f"platform {facts['platform']!r} does not match portal account "
                                f"{account.id} ({account.platform})")


def _create(session: Session, order_ref: str, facts: dict[str, Any], actor_name: str,
            source: dict[str, Any]) -> RowResult:
    seats = list(facts.get("seats") or [])
    values = {"platform": "paciolan", "currency": "usd", **facts, "order_ref": order_ref,
              "seats": seats, "quantity": facts.get("quantity") or max(1, len(seats)),
              "escrow_status": (EscrowStatus.HELD if facts.get("payment_intent_id")
                                else EscrowStatus.NONE).value}
    transfer = repo.insert_one(session, values)
    repo.add_audit(session, action=Action.CREATE.value, actor_name=actor_name,
                   transfer_id=transfer.id, to_status=transfer.status, detail=source)
    return RowResult(APPLIED, transfer.id)


def _update(session: Session, transfer: Transfer, facts: dict[str, Any], actor_name: str,
            source: dict[str, Any]) -> RowResult:
    if "seats" in facts and "quantity" not in facts:
        facts["quantity"] = max(1, len(facts["seats"]))
    changed = {k: v for k, v in facts.items() if _differs(getattr(transfer, k), v)}
    if not changed:
        return RowResult(DUPLICATE, transfer.id, "same facts as the existing order")
    names = ", ".join(sorted(changed))
    if transfer.status not in CHANGEABLE:
        raise OrderError(f"order {transfer.order_ref} is {transfer.status}; it can no longer "
                            f"change ({names})")
    if "account_id" in changed and transfer.account_id is not None:
        raise OrderError(f"order {transfer.order_ref} is on portal account "
                            f"{transfer.account_id}; a supervisor reassigns it in the desk")
    if "payment_intent_id" in changed and transfer.payment_intent_id:
        raise OrderError(f"order {transfer.order_ref} is held on "
                            f"{transfer.payment_intent_id}; the payment intent cannot change")
    if "payment_intent_id" in changed:
        changed["escrow_status"] = EscrowStatus.HELD.value
    detail = {**source, "changed": {k: [_plain(getattr(transfer, k)), _plain(v)]
                                    for k, v in changed.items()}}
    repo.update_values(session, transfer.id, changed)
    repo.add_audit(session, action=Action.ORDER_UPDATED.value, actor_name=actor_name,
                   transfer_id=transfer.id, from_status=transfer.status,
                   to_status=transfer.status, detail=detail)
    return RowResult(UPDATED, transfer.id, f"changed {names}")


def _cancel(session: Session, transfer: Transfer | None, request: OrderRequest,
            actor_name: str, source: dict[str, Any]) -> RowResult:
    if transfer is None:
        raise OrderError(f"no transfer for order {request.order_ref}: nothing to cancel")
    if transfer.status == Status.REJECTED.value:
        return RowResult(DUPLICATE, transfer.id, "the order is already rejected")
    if transfer.status == Status.ACCEPTING.value:
        raise OrderError(f"order {request.order_ref} is being accepted right now; send the "
                            "cancel again in a few minutes")
    if transfer.status not in CHANGEABLE:
        raise OrderError(f"order {request.order_ref} is already {transfer.status}; it can no "
                            "longer be cancelled")
    values = {**claim_repo.unclaim_values(), "decision_note": request.cancel_reason}
    transitions.apply(session, transfer, Action.ORDER_CANCELLED, Status.REJECTED, values,
                      actor_name, {**source, "reason": request.cancel_reason})
    return RowResult(APPLIED, transfer.id, request.cancel_reason)


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, list | tuple) or isinstance(new, list | tuple):
        return list(current or []) != list(new or [])
    return bool(current != new)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, int | str | list):
        return value
    return str(value)
