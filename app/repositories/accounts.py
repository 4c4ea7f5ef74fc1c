"""Queries about one portal account: what refers to it and what still uses it.

Used by :mod:`app.services.account_edit` (edit and remove) and by every path that gives an
account new transfers (:func:`usable_account`: a retired account gets none).
"""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.db.models import PortalAccount, Run, Transfer
from app.domain.errors import DomainError, NotFoundError
from app.domain.states import OPEN_STATUSES, Status


def locked_account(session: Session, account_id: int) -> PortalAccount:
    """The account's row, locked until the transaction ends.

    Raises:
        NotFoundError: no such account.
    """
    account = session.get(PortalAccount, account_id, with_for_update=True)
    if account is None:
        raise NotFoundError("portal account", account_id)
    return account


def usable_account(session: Session, account_id: int) -> PortalAccount:
    """The account, if it may receive transfers (it exists and is not retired).

    Raises:
        NotFoundError: no such account. DomainError: the account is retired.
    """
    account = session.get(PortalAccount, account_id)
    if account is None:
        raise NotFoundError("portal account", account_id)
    if not account.active:
        raise DomainError(f"portal account {account_id} ({account.username}) is retired: it "
                          "takes no new transfers")
    return account


def open_transfer_counts(session: Session, account_id: int) -> dict[Status, int]:
    """The account's open transfers per status (statuses with none left out)."""
    rows = session.execute(
        select(Transfer.status, func.count()).where(
            Transfer.account_id == account_id,
            Transfer.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Transfer.status))
    return {Status(status): count for status, count in rows}


def active_runs(session: Session, account_id: int) -> int:
    """Runs of the account's transfers still going, plus live claims (leases) on them."""
    runs = select(func.count()).select_from(Run).join(Transfer, Transfer.id == Run.transfer_id)\
        .where(Transfer.account_id == account_id, Run.outcome.is_(None))
    claims = select(func.count()).select_from(Transfer).where(
        Transfer.account_id == account_id, Transfer.claimed_by.is_not(None),
        Transfer.lease_until > func.now())
    return int(session.scalar(runs) or 0) + int(session.scalar(claims) or 0)


def has_history(session: Session, account_id: int) -> bool:
    """True when any transfer (and so any run) refers to the account."""
    return bool(session.scalar(select(exists().where(Transfer.account_id == account_id))))


def same_identity(session: Session, account: PortalAccount, site_url: str,
                  username: str) -> int | None:
    """Another account with this platform, site and username (case-insensitive), if any."""
    stmt = select(PortalAccount.id).where(
        PortalAccount.id != account.id,
        PortalAccount.platform == account.platform,
        func.lower(func.rtrim(PortalAccount.site_url, "/")) == site_url.lower(),
        func.lower(PortalAccount.username) == username.lower(),
    )
    return session.scalars(stmt.limit(1)).first()
