"""Transfer rows: read, insert, versioned update, audit rows, and the bulk expiry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import AuditLog, PortalAccount, Transfer
from app.domain.errors import NotFoundError, StaleVersionError
from app.domain.states import Status


def get(session: Session, transfer_id: int, lock: bool = False) -> Transfer:
    """Load one transfer (``lock``: SELECT ... FOR UPDATE).

    Raises:
        NotFoundError: no such transfer.
    """
    stmt = select(Transfer).where(Transfer.id == transfer_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()
    if found is None:
        raise NotFoundError("transfer", transfer_id)
    return found


def get_checked(
    session: Session, transfer_id: int, expected_version: int | None, lock: bool = True
) -> Transfer:
    """Load and lock a transfer, refusing a stale ``expected_version``.

    Raises:
        NotFoundError, StaleVersionError.
    """
    transfer = get(session, transfer_id, lock=lock)
    if expected_version is not None and transfer.version != expected_version:
        raise StaleVersionError(f"transfer {transfer.order_ref}", expected_version,
                                transfer.version)
    return transfer


def by_ids(session: Session, ids: Sequence[int]) -> list[Transfer]:
    """Transfers with these ids, in id order."""
    if not ids:
        return []
    return list(session.scalars(select(Transfer).where(Transfer.id.in_(ids)).order_by(Transfer.id)))


def insert_one(session: Session, values: dict[str, Any]) -> Transfer:
    """Insert one transfer and return it."""
    return session.scalars(insert(Transfer).values(**values).returning(Transfer)).one()


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert many transfers in one statement; returns their ids in input order."""
    if not rows:
        return []
    result = session.execute(insert(Transfer).returning(Transfer.id, sort_by_parameter_order=True),
                             list(rows))
    return [int(r[0]) for r in result]


def existing_order_refs(session: Session, refs: Sequence[str]) -> set[str]:
    """Which of ``refs`` already exist."""
    if not refs:
        return set()
    return set(session.scalars(select(Transfer.order_ref).where(Transfer.order_ref.in_(refs))))


def update_values(session: Session, transfer_id: int, values: dict[str, Any]) -> Transfer:
    """UPDATE one transfer (the trigger bumps version and updated_at) and return it."""
    stmt = update(Transfer).where(Transfer.id == transfer_id).values(**values).returning(Transfer)
    return session.scalars(stmt, execution_options={"populate_existing": True}).one()


def add_audit(
    session: Session,
    *,
    action: str,
    actor_name: str,
    transfer_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row (actor and actor_role come from the session's roles)."""
    session.execute(
        insert(AuditLog).values(
            action=action,
            actor_name=actor_name,
            transfer_id=transfer_id,
            from_status=from_status,
            to_status=to_status,
            detail=detail or {},
        )
    )


def add_audit_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append several audit rows in one statement."""
    if rows:
        session.execute(insert(AuditLog), list(rows))


def audit_for(session: Session, transfer_id: int) -> list[AuditLog]:
    """A transfer's audit rows, oldest first."""
    stmt = select(AuditLog).where(AuditLog.transfer_id == transfer_id).order_by(AuditLog.id)
    return list(session.scalars(stmt))


def expire_overdue(
    session: Session, now: datetime, sources: Sequence[Status]
) -> list[tuple[int, str]]:
    """Move every waiting transfer whose accept window or hold lapsed to expired.

    Rows locked by someone else are skipped (the next sweep gets them).

    Returns:
        ``(id, status before)`` per expired transfer.
    """
    lapsed = or_(Transfer.accept_by < now, Transfer.hold_expires_at < now)
    stmt = (
        select(Transfer.id, Transfer.status)
        .where(Transfer.status.in_([s.value for s in sources]), lapsed)
        .with_for_update(skip_locked=True)
    )
    before = [(int(row[0]), str(row[1])) for row in session.execute(stmt)]
    if before:
        session.execute(
            update(Transfer)
            .where(Transfer.id.in_([i for i, _ in before]))
            .values(status=Status.EXPIRED.value, claimed_by=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )
    return before


def accounts(session: Session) -> list[PortalAccount]:
    """Every portal account, by id."""
    return list(session.scalars(select(PortalAccount).order_by(PortalAccount.id)))


def insert_account(session: Session, values: dict[str, Any]) -> PortalAccount:
    """Add one portal account."""
    return session.scalars(insert(PortalAccount).values(**values).returning(PortalAccount)).one()


def account_exists(session: Session, account_id: int) -> bool:
    """True when the portal account exists."""
    stmt = select(func.count()).select_from(PortalAccount).where(PortalAccount.id == account_id)
    return bool(session.scalar(stmt))


def find_account(session: Session, platform: str, site_url: str, username: str) -> int | None:
    """The id of the account with this platform, site and username (case-insensitive)."""
    stmt = select(PortalAccount.id).where(
        PortalAccount.platform == platform,
        func.lower(func.rtrim(PortalAccount.site_url, "/")) == site_url.lower(),
        func.lower(PortalAccount.username) == username.lower(),
    )
    return session.scalars(stmt.limit(1)).first()
