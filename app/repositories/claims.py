"""Claiming work: SKIP LOCKED claim with a lease, heartbeat, release, reaping; runs rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.models import Run, Transfer
from app.domain.states import Status
from app.repositories.mapping import TransferColumns

# Migration 0014: the whole claim in one server-side call (planned once per connection).
_CLAIM_SQL = (
    "SELECT (c.claimed).*, c.run_id FROM transferdesk_claim(%(worker)s::text,"
    " %(lease)s::interval, %(actor_name)s::text, %(audit_actor)s::text, %(role)s::text,"
    " %(transfer_id)s::bigint, %(account_id)s::bigint) c"
)


def claim(
    conn: psycopg.Connection[Any],
    worker: str,
    lease: timedelta,
    actor_name: str,
    audit_actor: str,
    role: str | None,
    transfer_id: int | None = None,
    account_id: int | None = None,
) -> tuple[TransferColumns, int] | None:
    """Claim the most urgent due transfer (or exactly ``transfer_id``) for ``worker``.

    One statement, its own transaction on the autocommit driver connection ``conn``: act as
    ``role`` with the display name ``actor_name`` (the session GUC the audit triggers read),
    pick with ``FOR UPDATE SKIP LOCKED`` so two claimers never get the same row nor wait for
    each other (skipping assisted accounts and paused sites), mark it accepting with a lease,
    count the attempt, open its run and write the audit row (by ``audit_actor``). Its change
    notification is left to :func:`notify_claimed`, after the commit.

    Returns:
        The claimed transfer's columns (a plain row, no ORM instance) and the new run's id, or
        None when nothing is claimable.
    """
    params = {"worker": worker, "lease": lease, "actor_name": actor_name,
              "audit_actor": audit_actor, "role": role, "transfer_id": transfer_id,
              "account_id": account_id}
    cursor = conn.cursor(row_factory=namedtuple_row)  # its class is cached per column list
    row = cursor.execute(_CLAIM_SQL, params, prepare=True).fetchone()
    if row is None:
        return None
    # The row's fields are exactly the transfers columns (plus run_id, last).
    return cast(TransferColumns, row), int(row[-1])


_NOTIFY_SQL = (
    "SELECT set_config('synchronous_commit', 'off', true), pg_notify('transfer_changes',"
    " json_build_object('id', %s::bigint, 'status', %s::text, 'version', %s::integer)::text)"
)


def notify_claimed(conn: psycopg.Connection[Any], claimed: TransferColumns) -> None:
    """Tell the listeners of ``transfer_changes`` about a committed claim, with the payload the
    transfers trigger sends, in a transaction of its own (autocommit ``conn``).

    A notification is a wake-up, not data, so its commit does not wait for a WAL flush: the
    cluster-wide lock every NOTIFY holds through its commit is then held only for moments,
    and claims commit (and flush) in groups instead of one behind the other (migration 0014).
    """
    conn.execute(_NOTIFY_SQL, (claimed.id, claimed.status, claimed.version), prepare=True)


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
