"""Evidence, mail messages, workers and alarms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, undefer

from app.db.models import Alarm, Evidence, MailMessage, Worker
from app.urls import redact_text

# -- evidence ----------------------------------------------------------------------------------


def insert_evidence(session: Session, values: dict[str, Any]) -> Evidence:
    """Store one evidence file."""
    return session.scalars(insert(Evidence).values(**values).returning(Evidence)).one()


def get_evidence(session: Session, evidence_id: int, with_content: bool = False
                 ) -> Evidence | None:
    """One evidence row; ``with_content`` loads the bytes too."""
    stmt = select(Evidence).where(Evidence.id == evidence_id)
    if with_content:
        stmt = stmt.options(undefer(Evidence.content))
    return session.scalars(stmt).one_or_none()


def evidence_for(session: Session, transfer_id: int) -> list[Evidence]:
    """A transfer's evidence metadata, oldest first."""
    stmt = select(Evidence).where(Evidence.transfer_id == transfer_id).order_by(Evidence.id)
    return list(session.scalars(stmt))


def evidence_by_ids(session: Session, ids: Sequence[int]) -> list[Evidence]:
    """Evidence metadata for these ids."""
    if not ids:
        return []
    return list(session.scalars(select(Evidence).where(Evidence.id.in_(ids))))


# -- mail --------------------------------------------------------------------------------------


def mail_for(session: Session, transfer_id: int) -> list[MailMessage]:
    """Emails matched to a transfer, oldest first."""
    stmt = (
        select(MailMessage)
        .where(MailMessage.transfer_id == transfer_id)
        .order_by(MailMessage.received_at, MailMessage.id)
    )
    return list(session.scalars(stmt))


# -- workers -----------------------------------------------------------------------------------


def upsert_worker(session: Session, values: dict[str, Any]) -> Worker:
    """Register a worker (re-registering the same id restarts it)."""
    stmt = pg_insert(Worker).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Worker.id],
        set_={
            "host": stmt.excluded.host,
            "pid": stmt.excluded.pid,
            "kind": stmt.excluded.kind,
            "label": stmt.excluded.label,
            "started_at": func.now(),
            "last_beat_at": func.now(),
            "stopped_at": None,
            "current_transfer_id": None,
        },
    )
    return session.scalars(stmt.returning(Worker),
                           execution_options={"populate_existing": True}).one()


def update_worker(session: Session, worker_id: str, values: dict[str, Any]) -> Worker | None:
    """Update one worker row; None when it is not registered."""
    stmt = update(Worker).where(Worker.id == worker_id).values(**values).returning(Worker)
    return session.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()


def workers(session: Session, stale_after: timedelta | None = None) -> list[Worker]:
    """Running workers (all, or only those silent for longer than ``stale_after``)."""
    stmt = select(Worker).where(Worker.stopped_at.is_(None)).order_by(Worker.id)
    if stale_after is not None:
        stmt = stmt.where(Worker.last_beat_at < func.now() - stale_after)
    return list(session.scalars(stmt))


# -- alarms ------------------------------------------------------------------------------------


def raise_alarm(session: Session, kind: str, key: str, message: str) -> Alarm:
    """Open an alarm, or count up the open one with the same kind and key (URLs redacted)."""
    stmt = pg_insert(Alarm).values(kind=kind, key=key, message=redact_text(message))
    stmt = stmt.on_conflict_do_update(
        index_elements=[Alarm.kind, Alarm.key],
        index_where=Alarm.resolved_at.is_(None),
        set_={"count": Alarm.count + 1, "last_at": func.now(), "message": stmt.excluded.message},
    )
    return session.scalars(stmt.returning(Alarm),
                           execution_options={"populate_existing": True}).one()


def open_alarms(session: Session) -> list[Alarm]:
    """Unresolved alarms, most recent first."""
    stmt = select(Alarm).where(Alarm.resolved_at.is_(None)).order_by(Alarm.last_at.desc())
    return list(session.scalars(stmt))


def resolve_alarm(session: Session, alarm_id: int, by: str) -> Alarm | None:
    """Mark an alarm resolved; None when it does not exist."""
    stmt = (
        update(Alarm)
        .where(Alarm.id == alarm_id)
        .values(resolved_at=func.coalesce(Alarm.resolved_at, func.now()), resolved_by=by)
        .returning(Alarm)
    )
    return session.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()
