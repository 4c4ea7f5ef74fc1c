"""Claiming work: SKIP LOCKED claim with a lease, heartbeat, release, reaping; runs rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.models import Run, Transfer
from app.domain.states import Status
from app.repositories import breakers

_CLAIM_SQL = """
WITH picked AS (
    SELECT id FROM transfers
    WHERE status = 'notice_received' AND claimed_by IS NULL {conditions}
    ORDER BY due_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE transfers t
    SET status = 'accepting', claimed_by = %(worker)s, claimed_at = now(),
        lease_until = now() + %(lease)s, attempts = t.attempts + 1
    FROM picked WHERE t.id = picked.id
    RETURNING t.*
), run AS (
    INSERT INTO runs (transfer_id, worker, attempt)
    SELECT id, %(worker)s, attempts FROM claimed
    RETURNING id AS run_id, transfer_id
), audit AS (
    INSERT INTO audit_log (action, actor_name, transfer_id, from_status, to_status, detail)
    SELECT 'claim', %(actor)s, claimed.id, 'notice_received', 'accepting',
           jsonb_build_object('worker', %(worker)s::text, 'run_id', run.run_id,
                              'attempt', claimed.attempts)
    FROM claimed JOIN run ON run.transfer_id = claimed.id
)
SELECT claimed.*, run.run_id FROM claimed JOIN run ON run.transfer_id = claimed.id
"""


ClaimCursor = psycopg.Cursor[dict[str, Any]]


def send_claim(
    conn: psycopg.Connection[Any],
    worker: str,
    lease: timedelta,
    actor_name: str,
    transfer_id: int | None = None,
    account_id: int | None = None,
) -> ClaimCursor:
    """Claim the most urgent due transfer (or exactly ``transfer_id``) for ``worker``.

    One statement: pick with ``FOR UPDATE SKIP LOCKED`` so two claimers never get the same row
    nor wait for each other, mark it accepting with a lease, count the attempt, open its run and
    write the audit row. It runs on the driver connection so the service can pipeline it with
    its transaction's other commands; read the result with :func:`read_claim` (in pipeline mode,
    after the sync).
    """
    conditions = [breakers.AUTOMATABLE]  # not an assisted account, not a paused site
    params: dict[str, Any] = {"worker": worker, "lease": lease, "actor": actor_name}
    if transfer_id is not None:
        conditions.append("AND id = %(transfer_id)s")
        params["transfer_id"] = transfer_id
    else:
        conditions.append("AND (next_attempt_at IS NULL OR next_attempt_at <= now())")
    if account_id is not None:
        conditions.append("AND account_id = %(account_id)s")
        params["account_id"] = account_id
    cursor = conn.cursor(row_factory=dict_row)
    return cursor.execute(_CLAIM_SQL.format(conditions=" ".join(conditions)), params)


def read_claim(cursor: ClaimCursor) -> tuple[Transfer, int] | None:
    """The claimed transfer (a detached snapshot) and the new run's id, or None."""
    row = cursor.fetchone()
    if row is None:
        return None
    run_id = int(row.pop("run_id"))
    return Transfer(**row), run_id


def extend_lease(session: Session, transfer_id: int, worker: str, lease: timedelta
                 ) -> datetime | None:
    """Push the lease forward if ``worker`` still holds it; None when it does not."""
    stmt = (
        update(Transfer)
        .where(
            Transfer.id == transfer_id,
            Transfer.claimed_by == worker,
            Transfer.status == Status.ACCEPTING.value,
        )
        .values(lease_until=func.now() + lease)
        .returning(Transfer.lease_until)
    )
    return session.scalars(stmt, execution_options={"synchronize_session": False}).one_or_none()


def expired_leases(session: Session) -> list[Transfer]:
    """Transfers whose claimer stopped renewing, locked (skipping rows others hold)."""
    stmt = (
        select(Transfer)
        .where(Transfer.status == Status.ACCEPTING.value, Transfer.lease_until < func.now())
        .order_by(Transfer.id)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt, execution_options={"populate_existing": True}))


def unclaim_values() -> dict[str, Any]:
    """Column values that clear a claim."""
    return {"claimed_by": None, "claimed_at": None, "lease_until": None}


def get_run(session: Session, run_id: int, lock: bool = False) -> Run | None:
    """One run (optionally locked)."""
    stmt = select(Run).where(Run.id == run_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()


def open_run_for(session: Session, transfer_id: int) -> Run | None:
    """The unfinished run of a transfer, if any (newest)."""
    stmt = (
        select(Run)
        .where(Run.transfer_id == transfer_id, Run.finished_at.is_(None))
        .order_by(Run.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).one_or_none()


def finish_run(session: Session, run_id: int, outcome: str | None, detail: str,
               trace_evidence_id: int | None = None) -> Run:
    """Close a run with its outcome."""
    values: dict[str, Any] = {"finished_at": func.now(), "outcome": outcome, "detail": detail}
    if trace_evidence_id is not None:
        values["trace_evidence_id"] = trace_evidence_id
    stmt = update(Run).where(Run.id == run_id).values(**values).returning(Run)
    return session.scalars(stmt, execution_options={"populate_existing": True}).one()


def runs_for(session: Session, transfer_id: int) -> list[Run]:
    """A transfer's runs, oldest first."""
    return list(session.scalars(select(Run).where(Run.transfer_id == transfer_id)
                                .order_by(Run.id)))
