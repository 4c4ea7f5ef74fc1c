"""Queries of the webhook queue: fan-out by cursor, claims with leases, results, dead letters.

Every function runs inside the caller's transaction (services own the boundaries).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import Alarm
from app.db.models_marketplace import OutcomeEvent, WebhookCursor, WebhookDelivery
from app.outcomes.feed import OutcomeRecord, to_record


@dataclass(frozen=True)
class DeliveryJob:
    """One claimed delivery with what it carries (an outcome event or an alarm)."""

    id: int
    endpoint: str
    attempts: int
    created_at: datetime
    event: OutcomeRecord | None
    alarm: tuple[int, str, str] | None  # (id, kind, message)


@dataclass(frozen=True)
class DeadLetter:
    """A delivery that gave up (shown in the desk with Resend)."""

    id: int
    endpoint: str
    what: str
    order_ref: str
    attempts: int
    created_at: datetime
    last_error: str
    last_status_code: int | None


def fan_out(session: Session, endpoint: str, event_types: Collection[str],
            alarm_kinds: Collection[str], batch: int = 1000) -> int:
    """Queue new events and alarms for ``endpoint`` past its cursor; how many were queued."""
    session.execute(insert(WebhookCursor).values(endpoint=endpoint)
                    .on_conflict_do_nothing(index_elements=["endpoint"]))
    cursor = session.scalars(select(WebhookCursor).where(WebhookCursor.endpoint == endpoint)
                             .with_for_update()).one()
    queued = 0
    events = session.execute(select(OutcomeEvent.id, OutcomeEvent.type, OutcomeEvent.transfer_id)
                             .where(OutcomeEvent.id > cursor.last_event_id)
                             .order_by(OutcomeEvent.id).limit(batch)).all()
    rows: list[dict[str, Any]] = [{"endpoint": endpoint, "event_id": e.id, "alarm_id": None,
                                   "transfer_id": e.transfer_id}
                                  for e in events if e.type in event_types]
    if events:
        cursor.last_event_id = events[-1].id
    if alarm_kinds:
        # Alarms come from many writers; a short settling delay keeps late commits in order.
        alarms = session.execute(select(Alarm.id, Alarm.kind).where(
            Alarm.id > cursor.last_alarm_id,
            Alarm.first_at < func.now() - timedelta(seconds=2)).order_by(Alarm.id)
            .limit(batch)).all()
        rows += [{"endpoint": endpoint, "event_id": None, "alarm_id": a.id,
                  "transfer_id": None} for a in alarms
                 if a.kind in alarm_kinds]
        if alarms:
            cursor.last_alarm_id = alarms[-1].id
    if rows:
        result = session.execute(insert(WebhookDelivery).values(rows).on_conflict_do_nothing()
                                 .returning(WebhookDelivery.id))
        queued = len(result.all())
    return queued


CLAIM_SQL = text("""
    WITH due AS (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                          WHERE e.status = 'pending' AND e.endpoint = d.endpoint
                            AND e.transfer_id = d.transfer_id AND e.id < d.id)
        ORDER BY d.id
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries w
    SET lease_until = now() + make_interval(secs => :lease), attempts = w.attempts + 1
    FROM due WHERE w.id = due.id
    RETURNING w.id
""")


def claim_due(session: Session, limit: int, lease_seconds: float) -> list[DeliveryJob]:
    """Lease up to ``limit`` due deliveries: per endpoint and transfer only the oldest pending
    one, so a transfer's events arrive in order."""
    ids = [int(r[0]) for r in session.execute(CLAIM_SQL, {"limit": limit,
                                                           "lease": lease_seconds})]
    if not ids:
        return []
    rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                           .order_by(WebhookDelivery.id)).all()
    event_ids = [r.event_id for r in rows if r.event_id is not None]
    alarm_ids = [r.alarm_id for r in rows if r.alarm_id is not None]
    events = {e.id: to_record(e) for e in session.scalars(
        select(OutcomeEvent).where(OutcomeEvent.id.in_(event_ids)))} if event_ids else {}
    alarms = {a.id: (a.id, a.kind, a.message) for a in session.scalars(
        select(Alarm).where(Alarm.id.in_(alarm_ids)))} if alarm_ids else {}
    return [DeliveryJob(r.id, r.endpoint, r.attempts, r.created_at,
                        events.get(r.event_id) if r.event_id is not None else None,
                        alarms.get(r.alarm_id) if r.alarm_id is not None else None)
            for r in rows]


def mark_delivered(session: Session, delivery_id: int, status_code: int) -> None:
    """The receiver answered 2xx."""
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                  WebhookDelivery.status == "pending")
                    .values(status="delivered", delivered_at=func.now(), lease_until=None,
                            last_status_code=status_code, last_error=None))


def mark_failed(session: Session, delivery_id: int, error: str, status_code: int | None,
                next_attempt_at: datetime | None) -> None:
    """Schedule a retry at ``next_attempt_at``, or dead-letter when it is None."""
    values: dict[str, Any] = {"last_error": error[:500], "last_status_code": status_code,
                              "lease_until": None}
    if next_attempt_at is None:
        values["status"] = "dead"
    else:
        values["next_attempt_at"] = next_attempt_at
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                  WebhookDelivery.status == "pending")
                    .values(**values))


def dead_letters(session: Session, limit: int = 1000) -> list[DeadLetter]:
    """Dead deliveries, newest first."""
    stmt = text("""
        SELECT d.id, d.endpoint, d.attempts, d.created_at, coalesce(d.last_error, '') AS err,
               d.last_status_code, coalesce('outcome.' || e.type, 'alert.' || a.kind) AS what,
               coalesce(e.order_ref, '') AS order_ref
        FROM webhook_deliveries d
        LEFT JOIN outcome_events e ON e.id = d.event_id
        LEFT JOIN alarms a ON a.id = d.alarm_id
        WHERE d.status = 'dead' ORDER BY d.id DESC LIMIT :limit
    """)
    return [DeadLetter(r.id, r.endpoint, r.what, r.order_ref, r.attempts, r.created_at, r.err,
                       r.last_status_code) for r in session.execute(stmt, {"limit": limit})]


def resend(session: Session, delivery_ids: Collection[int]) -> list[int]:
    """Queue dead deliveries again (a fresh retry window); the ids that were dead."""
    result = session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id.in_(list(delivery_ids)), WebhookDelivery.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=func.now(), created_at=func.now(),
                lease_until=None).returning(WebhookDelivery.id))
    return sorted(int(r[0]) for r in result)


def counts(session: Session) -> dict[str, int]:
    """Deliveries per status."""
    rows = session.execute(select(WebhookDelivery.status, func.count())
                           .group_by(WebhookDelivery.status)).all()
    return {str(status): int(n) for status, n in rows}
