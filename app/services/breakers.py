"""Blocked sites for desks, workers and the CLI: the open breakers, and a supervisor's resume.

See :mod:`app.repositories.breakers` for how a breaker opens and closes. TransferDesk never
tries to evade a site's bot detection (no stealth plugins, fingerprint patching, automation-flag
removal, CAPTCHA solvers or proxy rotation): a blocked site pauses and people take over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.config import Settings
from app.db.models import AuditLog, PortalAccount
from app.db.models_breakers import AUTOMATION_MODES
from app.domain.errors import DomainError, NotFoundError, UnknownValueError
from app.domain.states import Role
from app.repositories import breakers as repo
from app.repositories.breakers import BreakerPolicy
from app.services import transitions
from app.services.base import Service

__all__ = ["BreakerPolicy", "BreakerService", "SiteBreakerInfo", "policy_of"]


@dataclass(frozen=True)
class SiteBreakerInfo:
    """An open breaker: the site, why, since and until when automation pauses."""

    site_url: str
    reason: str
    opened_at: datetime
    open_until: datetime
    recent_blocks: int


def policy_of(settings: Settings) -> BreakerPolicy:
    """The breaker policy of the settings (``breaker_blocks``, ``breaker_window_minutes``,
    ``breaker_cooldown_minutes``)."""
    return BreakerPolicy.of(settings.breaker_blocks, settings.breaker_window_minutes,
                            settings.breaker_cooldown_minutes)


class BreakerService(Service):
    """Open site breakers (a supervisor ends a pause early) and per-account automation modes;
    both changes are audited."""

    def list_open(self) -> list[SiteBreakerInfo]:
        """Every open breaker, the soonest retry first."""
        with self.transaction() as session:
            return [SiteBreakerInfo(b.site_url, b.reason, b.opened_at, b.open_until,
                                    len(b.recent_blocks))
                    for b in repo.open_breakers(session)
                    if b.opened_at is not None and b.open_until is not None]

    def resume(self, site_url: str) -> SiteBreakerInfo:
        """End the pause of ``site_url`` now (supervisors only); its alarm is resolved.

        Raises:
            PermissionDeniedError: not a supervisor.
            DomainError: the site has no open breaker.
        """
        site_url = site_url.strip()
        with self.transaction() as session:
            transitions.require_role(session, Role.SUPERVISOR, "resume a paused site")
            open_rows = {b.site_url: b for b in repo.open_breakers(session)}
            row = open_rows.get(site_url) or open_rows.get(site_url.rstrip("/"))
            if row is None or row.opened_at is None or row.open_until is None:
                known = ", ".join(open_rows) or "none"
                raise DomainError(f"no paused site {site_url!r} (paused: {known})")
            info = SiteBreakerInfo(row.site_url, row.reason, row.opened_at, row.open_until,
                                   len(row.recent_blocks))
            session.add(AuditLog(action="resume_site", actor_name=self.actor_name,
                                 detail={"site_url": row.site_url, "reason": row.reason,
                                         "open_until": row.open_until.isoformat()}))
            repo.close(session, row.site_url, self.actor_name or "supervisor")
            return info

    def automation_mode(self, account_id: int) -> str:
        """The account's automation mode (``automatic`` or ``assisted``).

        Raises:
            NotFoundError: no such account.
        """
        with self.transaction() as session:
            account = session.get(PortalAccount, account_id)
            if account is None:
                raise NotFoundError("portal account", account_id)
            return account.automation_mode

    def set_automation_mode(self, account_id: int, mode: str) -> str:
        """Automate the account's site (``automatic``) or never (``assisted``: a person accepts
        its transfers in the assisted lane); supervisors only, audited. Returns the old mode.

        Raises:
            UnknownValueError: not a mode. NotFoundError: no such account.
            PermissionDeniedError: not a supervisor.
        """
        mode = mode.strip().lower()
        if mode not in AUTOMATION_MODES:
            raise UnknownValueError("automation mode", mode, list(AUTOMATION_MODES))
        with self.transaction() as session:
            transitions.require_role(session, Role.SUPERVISOR, "change an automation mode")
            account = session.get(PortalAccount, account_id, with_for_update=True)
            if account is None:
                raise NotFoundError("portal account", account_id)
            old = account.automation_mode
            account.automation_mode = mode
            session.add(AuditLog(action="automation_mode", actor_name=self.actor_name,
                                 detail={"account_id": account_id, "site_url": account.site_url,
                                         "from": old, "to": mode}))
            return old
