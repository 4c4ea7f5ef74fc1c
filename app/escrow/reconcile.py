"""Bring local escrow state in line with Stripe, and watch holds that are about to lapse.

* :func:`reconcile` retrieves the PaymentIntent of every transfer whose hold we believe open
  (or whose capture/cancel failed) and records what Stripe says happened elsewhere: captured in
  the Dashboard, cancelled, lapsed. Each fix is one audit row (``escrow_reconciled``).
* :func:`check_holds` records ``hold_expires_at`` (``capture_before`` of the latest charge, else
  created + 7 days), opens an ``escrow_hold_expiring`` alarm inside the warning window, and
  records an authorization that ran out as ``lapsed`` (with an ``escrow_lapsed`` alarm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.states import EscrowStatus, Status
from app.escrow import repository as repo
from app.escrow.gateway import IntentSnapshot, StripeGatewayError
from app.escrow.repository import EscrowRow
from app.escrow.service import (
    ALARM_EXPIRING,
    ALARM_LAPSED,
    ALARM_MISMATCH,
    EscrowChanged,
    EscrowService,
)

#: Escrow states reconcile looks at: the hold may still be open on Stripe's side.
RECONCILED_STATES = (
    EscrowStatus.NONE.value, EscrowStatus.HELD.value, EscrowStatus.CAPTURE_PENDING.value,
    EscrowStatus.CANCEL_PENDING.value, EscrowStatus.FAILED.value,
)


@dataclass(frozen=True)
class EscrowFix:
    """One local correction (also written to the audit log)."""

    transfer_id: int
    payment_intent_id: str
    before: str
    after: str
    stripe_status: str


@dataclass
class MaintenanceReport:
    """What a reconcile or hold check looked at and changed."""

    checked: int = 0
    fixes: list[EscrowFix] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def stripe_escrow_status(row: EscrowRow, intent: IntentSnapshot) -> str:
    """The escrow status the local row should have given what Stripe says."""
    if intent.status == "succeeded":
        return EscrowStatus.CAPTURED.value
    if intent.status == "canceled":
        if intent.cancellation_reason == "automatic":
            return EscrowStatus.LAPSED.value
        return EscrowStatus.CANCELLED.value
    if intent.status == "requires_capture" and row.escrow_status == EscrowStatus.NONE.value:
        return EscrowStatus.HELD.value
    return row.escrow_status


def reconcile(service: EscrowService) -> MaintenanceReport:
    """Retrieve every open PaymentIntent we know of and fix local state (see module docstring)."""
    report = MaintenanceReport()
    with service.transaction() as session:
        rows = repo.escrow_rows(session, RECONCILED_STATES)
    for row in rows:
        report.checked += 1
        try:
            intent = service.gateway.retrieve(row.payment_intent_id)
        except StripeGatewayError as exc:
            report.errors.append(f"transfer {row.transfer_id}: {exc}")
            continue
        _apply(service, report, row, intent, stripe_escrow_status(row, intent),
               "escrow_reconciled")
    return report


def check_holds(service: EscrowService) -> MaintenanceReport:
    """Record hold expiry, warn before a hold lapses, and record lapsed authorizations."""
    report = MaintenanceReport()
    now = service.clock()
    warn_until = now + service.policy.warn_before
    with service.transaction() as session:
        rows = repo.holds_expiring(session, warn_until)
    for row in rows:
        report.checked += 1
        if _claim_in_flight(row, now):
            continue  # the processor is on it and records the outcome itself
        expires = row.hold_expires_at
        if expires is None or expires <= now:
            try:
                intent = service.gateway.retrieve(row.payment_intent_id)
            except StripeGatewayError as exc:
                report.errors.append(f"transfer {row.transfer_id}: {exc}")
                continue
            expires = intent.hold_expires_at
            target = stripe_escrow_status(row, intent)
            if expires <= now and intent.status == "requires_capture" and row.escrow_status in (
                EscrowStatus.HELD.value, EscrowStatus.CAPTURE_PENDING.value
            ):
                target = EscrowStatus.LAPSED.value  # past capture_before: no longer capturable
            _apply(service, report, row, intent, target, "escrow_hold_checked")
            if target != row.escrow_status:
                continue
        if now < expires < warn_until and _warn(service, row, expires):
            report.warned.append(row.transfer_id)
    return report


def _claim_in_flight(row: EscrowRow, now: datetime) -> bool:
    pending = (EscrowStatus.CAPTURE_PENDING.value, EscrowStatus.CANCEL_PENDING.value)
    next_at = row.escrow_next_attempt_at
    return row.escrow_status in pending and next_at is not None and next_at > now


def _warn(service: EscrowService, row: EscrowRow, expires: datetime) -> bool:
    message = (f"transfer {row.transfer_id}: the buyer's hold lapses at "
               f"{expires:%Y-%m-%d %H:%M} UTC; decide before then or the money is released")
    with service.transaction() as session:
        new = repo.raise_alarm(session, ALARM_EXPIRING, f"transfer:{row.transfer_id}", message)
        if new:
            repo.add_audit(session, row.transfer_id, "escrow_hold_expiring", service.actor_name,
                           {"hold_expires_at": expires.isoformat()})
    return new


def _apply(
    service: EscrowService,
    report: MaintenanceReport,
    row: EscrowRow,
    intent: IntentSnapshot,
    target: str,
    action: str,
) -> None:
    """Store ``target`` (and the hold expiry) if anything changed, with audit and alarms."""
    hold = intent.hold_expires_at
    if target == row.escrow_status and hold == row.hold_expires_at:
        return
    now = service.clock()
    key = f"transfer:{row.transfer_id}"
    values: dict[str, object] = {"hold_expires_at": hold}
    if target != row.escrow_status:
        values.update(escrow_status=target, escrow_error=None, escrow_next_attempt_at=None)
    with service.transaction() as session:
        if not repo.set_escrow(session, row.transfer_id, row.escrow_status, now, **values):
            return  # changed meanwhile (the processor got there): nothing to correct
        repo.add_audit(session, row.transfer_id, action, service.actor_name, {
            "payment_intent_id": intent.id, "stripe_status": intent.status,
            "escrow_from": row.escrow_status, "escrow_to": target,
            "amount_captured": intent.amount_captured, "hold_expires_at": hold.isoformat(),
        })
        if target == EscrowStatus.LAPSED.value:
            repo.raise_alarm(session, ALARM_LAPSED, key,
                             f"transfer {row.transfer_id}: the card authorization lapsed "
                             "before it was captured")
        mismatch = _mismatch(row, target)
        if mismatch:
            repo.raise_alarm(session, ALARM_MISMATCH, key, mismatch)
    if target != row.escrow_status:
        report.fixes.append(EscrowFix(row.transfer_id, intent.id, row.escrow_status, target,
                                      intent.status))
        if service.events is not None:
            service.events.publish(EscrowChanged(row.transfer_id, target))


def _mismatch(row: EscrowRow, target: str) -> str:
    if target == EscrowStatus.CAPTURED.value and row.status != Status.VERIFIED.value:
        return (f"transfer {row.transfer_id} is {row.status} but its payment was captured "
                "outside TransferDesk: review it (refund the buyer if the tickets never came)")
    if target == EscrowStatus.CANCELLED.value and row.status == Status.VERIFIED.value:
        return (f"transfer {row.transfer_id} is verified but its hold was cancelled outside "
                "TransferDesk: the buyer was not charged")
    return ""
