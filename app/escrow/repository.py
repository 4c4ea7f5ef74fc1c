"""Every escrow query: claiming work, recording results, audit rows, alarms, the problems list.

Functions take a session and never commit: the service owns the transaction boundary. The
``transfers`` guard trigger bumps ``version`` and ``updated_at`` on every update (and NOTIFYs),
so escrow changes reach every desktop like any other change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import Alarm, AuditLog, Transfer
from app.domain.states import EscrowStatus, Status


class EscrowAction(enum.StrEnum):
    """What the hold needs after the decision."""

    CAPTURE = "capture"
    CANCEL = "cancel"


PENDING = {
    EscrowAction.CAPTURE: EscrowStatus.CAPTURE_PENDING,
    EscrowAction.CANCEL: EscrowStatus.CANCEL_PENDING,
}
CANCEL_STATUSES = (Status.REJECTED, Status.EXPIRED)
#: Escrow states in which Stripe still holds the buyer's money on our behalf.
OPEN_ESCROW = (EscrowStatus.HELD, EscrowStatus.CAPTURE_PENDING, EscrowStatus.CANCEL_PENDING)


@dataclass(frozen=True)
class EscrowJob:
    """One claimed capture or cancel. ``attempt`` fences the result against a later claim."""

    transfer_id: int
    action: EscrowAction
    payment_intent_id: str
    amount: int | None
    amount_to_capture: int | None
    transfer_status: str
    hold_expires_at: datetime | None
    attempt: int
    lease_until: datetime

    @property
    def idempotency_key(self) -> str:
        """The deterministic Stripe idempotency key, ``transfer:{id}:capture`` / ``:cancel``."""
        return f"transfer:{self.transfer_id}:{self.action.value}"

    @property
    def pending_status(self) -> EscrowStatus:
        """The escrow status the transfer holds while this job runs."""
        return PENDING[self.action]


@dataclass(frozen=True)
class EscrowProblem:
    """A row of the "escrow problems" list: money that did not move as decided."""

    transfer_id: int
    order_ref: str
    event_name: str
    status: Status
    escrow_status: EscrowStatus
    escrow_error: str | None
    escrow_attempts: int
    escrow_next_attempt_at: datetime | None
    hold_expires_at: datetime | None
    payment_intent_id: str | None
    amount: int | None
    currency: str


@dataclass(frozen=True)
class EscrowRow:
    """The escrow columns of one transfer (for reconcile and hold checks)."""

    transfer_id: int
    status: str
    escrow_status: str
    payment_intent_id: str
    hold_expires_at: datetime | None
    escrow_next_attempt_at: datetime | None


_ESCROW_ROW_COLUMNS = (
    Transfer.id.label("transfer_id"), Transfer.status, Transfer.escrow_status,
    Transfer.payment_intent_id, Transfer.hold_expires_at, Transfer.escrow_next_attempt_at,
)


def _action_for_status() -> Any:
    return case(
        (Transfer.status == Status.VERIFIED.value, EscrowStatus.CAPTURE_PENDING.value),
        else_=EscrowStatus.CANCEL_PENDING.value,
    )


def _due_condition() -> Any:
    # "none" with an intent id: imported with the order, never looked at; Stripe decides.
    waiting = [EscrowStatus.NONE.value, EscrowStatus.HELD.value]
    capture = and_(
        Transfer.status == Status.VERIFIED.value,
        Transfer.escrow_status.in_([*waiting, EscrowStatus.CAPTURE_PENDING.value]),
    )
    cancel = and_(
        Transfer.status.in_([s.value for s in CANCEL_STATUSES]),
        Transfer.escrow_status.in_([*waiting, EscrowStatus.CANCEL_PENDING.value]),
    )
    return and_(Transfer.payment_intent_id.is_not(None), or_(capture, cancel))


def claim_due(session: Session, now: datetime, lease: timedelta, limit: int) -> list[EscrowJob]:
    """Claim up to ``limit`` transfers whose capture/cancel is due (``SKIP LOCKED``).

    The claim moves the transfer to ``capture_pending``/``cancel_pending``, counts the attempt
    and sets ``escrow_next_attempt_at`` to the lease end, so a crashed claimer's work comes back.
    """
    due = (
        select(Transfer.id)
        .where(
            _due_condition(),
            or_(Transfer.escrow_next_attempt_at.is_(None), Transfer.escrow_next_attempt_at <= now),
        )
        .order_by(Transfer.escrow_next_attempt_at.asc().nulls_first(), Transfer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Transfer)
        .where(Transfer.id.in_(due))
        .values(
            escrow_status=_action_for_status(),
            escrow_attempts=Transfer.escrow_attempts + 1,
            escrow_next_attempt_at=now + lease,
            escrow_updated_at=now,
        )
        .returning(
            Transfer.id, Transfer.status, Transfer.payment_intent_id, Transfer.amount,
            Transfer.amount_to_capture, Transfer.hold_expires_at, Transfer.escrow_attempts,
            Transfer.escrow_next_attempt_at,
        )
    )
    jobs = [
        EscrowJob(
            transfer_id=row.id,
            action=(EscrowAction.CAPTURE if row.status == Status.VERIFIED.value
                    else EscrowAction.CANCEL),
            payment_intent_id=row.payment_intent_id,
            amount=row.amount,
            amount_to_capture=row.amount_to_capture,
            transfer_status=row.status,
            hold_expires_at=row.hold_expires_at,
            attempt=row.escrow_attempts,
            lease_until=row.escrow_next_attempt_at,
        )
        for row in session.execute(stmt)
    ]
    return sorted(jobs, key=lambda job: job.transfer_id)


def finish_job(session: Session, job: EscrowJob, now: datetime, **values: Any) -> bool:
    """Write a job's result if the claim is still ours; False when another claim superseded it."""
    stmt = (
        update(Transfer)
        .where(
            Transfer.id == job.transfer_id,
            Transfer.escrow_attempts == job.attempt,
            Transfer.escrow_status == job.pending_status.value,
        )
        .values(escrow_updated_at=now, **values)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]


def set_escrow(
    session: Session, transfer_id: int, expected_status: str, now: datetime, **values: Any
) -> bool:
    """Change a transfer's escrow columns if its escrow status is still ``expected_status``."""
    stmt = (
        update(Transfer)
        .where(Transfer.id == transfer_id, Transfer.escrow_status == expected_status)
        .values(escrow_updated_at=now, **values)
    )
    return session.execute(stmt).rowcount == 1  # type: ignore[attr-defined, no-any-return]


def reset_failed(session: Session, now: datetime, transfer_ids: list[int] | None) -> list[int]:
    """Put failed captures/cancels back in the queue (attempts from zero); returns their ids."""
    stmt = (
        update(Transfer)
        .where(
            Transfer.escrow_status == EscrowStatus.FAILED.value,
            Transfer.payment_intent_id.is_not(None),
            Transfer.status.in_([Status.VERIFIED.value, *(s.value for s in CANCEL_STATUSES)]),
        )
        .values(
            escrow_status=_action_for_status(),
            escrow_attempts=0,
            escrow_next_attempt_at=None,
            escrow_updated_at=now,
        )
        .returning(Transfer.id)
    )
    if transfer_ids is not None:
        stmt = stmt.where(Transfer.id.in_(transfer_ids))
    return sorted(session.scalars(stmt))


def escrow_rows(session: Session, escrow_statuses: tuple[str, ...]) -> list[EscrowRow]:
    """Transfers with a PaymentIntent whose escrow status is one of ``escrow_statuses``."""
    stmt = (
        select(*_ESCROW_ROW_COLUMNS)
        .where(Transfer.payment_intent_id.is_not(None),
               Transfer.escrow_status.in_(escrow_statuses))
        .order_by(Transfer.id)
    )
    return [EscrowRow(**row._asdict()) for row in session.execute(stmt)]


def holds_expiring(session: Session, before: datetime) -> list[EscrowRow]:
    """Open holds whose authorization lapses before ``before`` (or is unknown)."""
    stmt = (
        select(*_ESCROW_ROW_COLUMNS)
        .where(
            Transfer.payment_intent_id.is_not(None),
            Transfer.escrow_status.in_([EscrowStatus.NONE.value, *OPEN_ESCROW]),
            or_(Transfer.hold_expires_at.is_(None), Transfer.hold_expires_at < before),
        )
        .order_by(Transfer.hold_expires_at.asc().nulls_first(), Transfer.id)
    )
    return [EscrowRow(**row._asdict()) for row in session.execute(stmt)]


def problems(session: Session, now: datetime, warn_before: timedelta) -> list[EscrowProblem]:
    """The escrow problems list: failed, lapsed, retrying, mismatched or about to lapse."""
    pending = [EscrowStatus.CAPTURE_PENDING.value, EscrowStatus.CANCEL_PENDING.value]
    cancelled = [EscrowStatus.CANCELLED.value, EscrowStatus.LAPSED.value]
    condition = or_(
        Transfer.escrow_status.in_([EscrowStatus.FAILED.value, EscrowStatus.LAPSED.value]),
        and_(Transfer.escrow_status.in_(pending), Transfer.escrow_error.is_not(None)),
        and_(Transfer.status == Status.VERIFIED.value, Transfer.escrow_status.in_(cancelled)),
        and_(Transfer.status != Status.VERIFIED.value,
             Transfer.escrow_status == EscrowStatus.CAPTURED.value),
        and_(Transfer.escrow_status.in_([s.value for s in OPEN_ESCROW]),
             Transfer.hold_expires_at < now + warn_before),
    )
    stmt = (
        select(Transfer.id.label("transfer_id"), Transfer.order_ref, Transfer.event_name,
               Transfer.status, Transfer.escrow_status, Transfer.escrow_error,
               Transfer.escrow_attempts, Transfer.escrow_next_attempt_at, Transfer.hold_expires_at,
               Transfer.payment_intent_id, Transfer.amount, Transfer.currency)
        .where(condition)
        .order_by(Transfer.escrow_updated_at.desc().nulls_last(), Transfer.id)
    )
    return [EscrowProblem(**{**row._asdict(), "status": Status(row.status),
                             "escrow_status": EscrowStatus(row.escrow_status)})
            for row in session.execute(stmt)]


def add_audit(
    session: Session, transfer_id: int, action: str, actor_name: str, detail: dict[str, Any]
) -> None:
    """Append one audit row (the actor role is the session's PostgreSQL role)."""
    session.add(AuditLog(transfer_id=transfer_id, action=action, actor_name=actor_name,
                         detail=detail))


def raise_alarm(session: Session, kind: str, key: str, message: str) -> bool:
    """Open an alarm, or count a repeat of the open one; True when it is new."""
    stmt = (
        insert(Alarm)
        .values(kind=kind, key=key, message=message)
        .on_conflict_do_update(
            index_elements=[Alarm.kind, Alarm.key],
            index_where=Alarm.resolved_at.is_(None),
            set_={"count": Alarm.count + 1, "last_at": func.now(), "message": message},
        )
        .returning(Alarm.count)
    )
    return session.execute(stmt).scalar_one() == 1


def resolve_alarms(session: Session, kinds: tuple[str, ...], key: str, resolved_by: str) -> None:
    """Close the open alarms of ``kinds`` for ``key`` (the problem went away)."""
    session.execute(
        update(Alarm)
        .where(Alarm.kind.in_(kinds), Alarm.key == key, Alarm.resolved_at.is_(None))
        .values(resolved_at=func.now(), resolved_by=resolved_by)
    )
