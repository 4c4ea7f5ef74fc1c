"""Every query of the deadline sweeper: the sweep lock, deadlines ahead, warnings, the sweep row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import Alarm, Transfer
from app.db.models_deadlines import DeadlineSweep, DeadlineWarning
from app.domain.deadlines import Deadlines
from app.domain.states import OPEN_STATUSES

#: ``pg_try_advisory_xact_lock`` key of the sweep ("td" + migration 0006): one sweeper at a time.
SWEEP_LOCK_KEY = 0x7464_0006
ALARM_KIND = "deadline_warning"
_OPEN = sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class OpenDeadlines:
    """An open transfer with a deadline inside the warning horizon."""

    transfer_id: int
    order_ref: str
    status: str
    deadlines: Deadlines


def try_sweep_lock(session: Session) -> bool:
    """Take the sweep's advisory lock for this transaction; False when another process has it."""
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(SWEEP_LOCK_KEY))))


def open_with_deadlines_before(session: Session, horizon: datetime) -> list[OpenDeadlines]:
    """Open transfers with any deadline at or before ``horizon``, the nearest deadline first."""
    stmt = (
        select(Transfer.id, Transfer.order_ref, Transfer.status, Transfer.accept_by,
               Transfer.event_starts_at, Transfer.hold_expires_at)
        .where(Transfer.status.in_(_OPEN),
               or_(Transfer.accept_by <= horizon, Transfer.event_starts_at <= horizon,
                   Transfer.hold_expires_at <= horizon))
        .order_by(func.least(Transfer.accept_by, Transfer.event_starts_at,
                             Transfer.hold_expires_at), Transfer.id)  # most urgent first
    )
    return [OpenDeadlines(r.id, r.order_ref, r.status,
                          Deadlines(r.accept_by, r.event_starts_at, r.hold_expires_at))
            for r in session.execute(stmt)]


def warned_keys(session: Session, transfer_ids: Sequence[int]) -> set[tuple[int, str, int]]:
    """``(transfer id, deadline kind, lead seconds)`` already warned for these transfers."""
    if not transfer_ids:
        return set()
    stmt = select(DeadlineWarning.transfer_id, DeadlineWarning.deadline_kind,
                  DeadlineWarning.lead_seconds).where(
        DeadlineWarning.transfer_id.in_(list(transfer_ids)))
    return {(int(t), str(k), int(s)) for t, k, s in session.execute(stmt)}


def insert_warning(session: Session, transfer_id: int, kind: str, lead_seconds: int,
                   deadline_at: datetime, raised_by: str) -> int | None:
    """Record one warning; its id, or None when it was already raised (ON CONFLICT DO NOTHING)."""
    stmt = (
        insert(DeadlineWarning)
        .values(transfer_id=transfer_id, deadline_kind=kind, lead_seconds=lead_seconds,
                deadline_at=deadline_at, raised_by=raised_by)
        .on_conflict_do_nothing(constraint="uq_deadline_warnings_once")
        .returning(DeadlineWarning.id)
    )
    return session.scalar(stmt)


def link_alarm(session: Session, warning_id: int, alarm_id: int) -> None:
    """Remember which alarm a warning opened."""
    session.execute(update(DeadlineWarning).where(DeadlineWarning.id == warning_id)
                    .values(alarm_id=alarm_id))


def resolve_superseded(session: Session, transfer_id: int, kind: str, by: str) -> None:
    """Close the open warning alarms of this transfer and deadline (a tighter one follows)."""
    session.execute(
        update(Alarm)
        .where(Alarm.kind == ALARM_KIND, Alarm.resolved_at.is_(None),
               Alarm.key.startswith(f"{alarm_key_prefix(transfer_id, kind)}:"))
        .values(resolved_at=func.now(), resolved_by=by)
    )


def resolve_for_closed(session: Session, by: str) -> int:
    """Close the open warning alarms of transfers that are no longer open; how many."""
    closed = (
        select(DeadlineWarning.alarm_id)
        .join(Transfer, Transfer.id == DeadlineWarning.transfer_id)
        .where(Transfer.status.not_in(_OPEN), DeadlineWarning.alarm_id.is_not(None))
    )
    result = session.execute(
        update(Alarm)
        .where(Alarm.kind == ALARM_KIND, Alarm.resolved_at.is_(None), Alarm.id.in_(closed))
        .values(resolved_at=func.now(), resolved_by=by),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def alarm_key_prefix(transfer_id: int, kind: str) -> str:
    """``transfer:<id>:<kind>``; the alarm key adds ``:<lead>``."""
    return f"transfer:{transfer_id}:{kind}"


def record_sweep(session: Session, by: str, expired: int, warned: int) -> None:
    """Stamp the sweep row with the sweeper's id (database time: it tells desks a sweeper is
    alive)."""
    session.execute(
        update(DeadlineSweep).where(DeadlineSweep.id == 1)
        .values(swept_at=func.now(), swept_by=by, expired=expired, warned=warned)
    )


def last_sweep(session: Session) -> tuple[float, str] | None:
    """``(seconds since, sweeper id)`` of the last completed sweep; None when nobody swept."""
    row = session.execute(
        select(func.extract("epoch", func.now() - DeadlineSweep.swept_at), DeadlineSweep.swept_by)
        .where(DeadlineSweep.id == 1, DeadlineSweep.swept_at.is_not(None))
    ).first()
    return None if row is None else (float(row[0]), str(row[1]))
