"""Which selector profile each portal account uses (``portal_accounts.profile``)."""

from __future__ import annotations

from sqlalchemy import update

from app.db.models import PortalAccount
from app.domain.errors import NotFoundError
from app.domain.records import PortalAccountInfo
from app.repositories import mapping
from app.repositories import transfers as repo
from app.services.base import Service


class PortalProfileService(Service):
    """Record and list the per-account profile choice (supervisors set it; runs may detect it)."""

    def set_profile(self, account_id: int, profile: str | None) -> PortalAccountInfo:
        """Record ``profile`` for the account (None: detect again on the next sign-in).

        Raises:
            NotFoundError: no such account.
        """
        with self.transaction() as session:
            row = session.scalars(
                update(PortalAccount).where(PortalAccount.id == account_id)
                .values(profile=profile).returning(PortalAccount)).one_or_none()
            if row is None:
                raise NotFoundError("portal account", account_id)
            return mapping.account_info(row)

    def record_detected(self, site_url: str, username: str, profile: str) -> bool:
        """Record what a first sign-in detected, unless the account has a profile already."""
        with self.transaction() as session:
            result = session.execute(
                update(PortalAccount)
                .where(PortalAccount.site_url == site_url, PortalAccount.username == username,
                       PortalAccount.profile.is_(None))
                .values(profile=profile).returning(PortalAccount.id))
            return result.first() is not None

    def accounts_by_profile(self) -> dict[str | None, list[PortalAccountInfo]]:
        """Every account grouped by its recorded profile (None: not chosen yet)."""
        with self.transaction() as session:
            grouped: dict[str | None, list[PortalAccountInfo]] = {}
            for row in repo.accounts(session):
                grouped.setdefault(row.profile, []).append(mapping.account_info(row))
            return grouped
