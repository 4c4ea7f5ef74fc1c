"""The runs' view of portal accounts: a cached directory and the keyring's passwords.

:class:`PortalAccounts` looks accounts up (cached for the life of the stack) and records the
selector profile a first sign-in detected; :class:`PortalPasswords` reads an account's password
from the keyring and keeps it in memory for a few minutes so a batch reads the keyring once.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine

from app.credentials import CredentialStore, MissingCredentialError, portal_key
from app.domain.errors import NotFoundError
from app.domain.records import PortalAccountInfo
from app.services.portal_profiles import PortalProfileService
from app.services.queue import QueueService

log = logging.getLogger(__name__)

PASSWORD_CACHE_SECONDS = 300.0


class PortalAccounts:
    """Portal accounts by id, cached; the detected profile of an account, recorded once.

    Args:
        engine: the pooled engine.
        actor_name: the display name written to the audit log.
        role: PostgreSQL role to act as, None for the login role.
    """

    def __init__(self, engine: Engine, actor_name: str = "", role: str | None = None) -> None:
        self.queue = QueueService(engine, actor_name, role)
        self.profiles = PortalProfileService(engine, actor_name, role)
        self._accounts: dict[int, PortalAccountInfo] = {}

    def account(self, account_id: int) -> PortalAccountInfo:
        """The portal account (cached).

        Raises:
            NotFoundError: no such account.
        """
        if account_id not in self._accounts:
            for info in self.queue.accounts():
                self._accounts[info.id] = info
        try:
            return self._accounts[account_id]
        except KeyError:
            raise NotFoundError("portal account", account_id) from None

    def remember_profile(self, site_url: str, username: str, profile: str) -> None:
        """Record the profile a first sign-in detected (never fails the run)."""
        try:
            if self.profiles.record_detected(site_url, username, profile):
                self._accounts.clear()
                log.info("portal account %s on %s: profile %s recorded",
                         username, site_url, profile)
        except Exception as exc:  # a lost write only means detecting again next time
            log.warning("could not record the detected profile %s: %s", profile, exc)


class PortalPasswords:
    """Portal passwords from the keyring, kept :data:`PASSWORD_CACHE_SECONDS` in memory.

    Args:
        credentials: the keyring.
    """

    def __init__(self, credentials: CredentialStore) -> None:
        self.credentials = credentials
        self._cache: dict[int, tuple[float, str]] = {}

    def password_for(self, account: PortalAccountInfo) -> str:
        """The account's password (``portal:<id>``, else ``portal:<username>``).

        Raises:
            MissingCredentialError: neither key is set.
        """
        cached = self._cache.get(account.id)
        if cached is not None and time.monotonic() - cached[0] < PASSWORD_CACHE_SECONDS:
            return cached[1]
        for name in (str(account.id), account.username):
            secret = self.credentials.get(portal_key(name))
            if secret:
                self._cache[account.id] = (time.monotonic(), secret)
                return secret
        raise MissingCredentialError(
            f"no password for portal account {account.username} in the keyring "
            f"(set {portal_key(str(account.id))} in Settings > Credentials)"
        )
