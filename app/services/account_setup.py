"""Adding a portal account with its password: the row and the keyring slot, both or neither.

:func:`add_account_with_password` is what ``transferdesk accounts add`` and the desk's
"Add account…" both call. The keyring is probed first (a locked or plaintext one refuses
before the database is touched); the password is written as ``portal:<id>`` inside the row's
transaction, so a refused write rolls the row back; if the commit itself fails after the write,
the slot is deleted again (ids are never reused, so a slot left behind by a failed delete names
no account).
"""

from __future__ import annotations

import logging

from app.credentials import CredentialStore, check_backend, portal_key
from app.domain.accounts import check_site_url, check_username
from app.domain.errors import DomainError
from app.domain.records import PortalAccountInfo
from app.errors import KnownError
from app.services.transfers import TransferService

log = logging.getLogger(__name__)


def add_account_with_password(
    transfers: TransferService, platform: str, site_url: str, username: str, label: str,
    password: str, *, profile: str | None = None, store: CredentialStore | None = None,
) -> PortalAccountInfo:
    """Add the account and store its password (blocking: database and keyring).

    Raises:
        KnownError: a bad site URL or username, no password, a duplicate, not allowed, or a
            keyring that is locked or refuses the password; nothing is then saved.
    """
    check_site_url(site_url), check_username(username)
    if not password:
        raise DomainError("a portal account needs its password (it goes to the keyring)")
    check_backend(probe=True)
    keyring = store or CredentialStore()
    written: list[str] = []

    def store_password(info: PortalAccountInfo) -> None:
        key = portal_key(str(info.id))
        keyring.set(key, password)
        written.append(key)

    try:
        return transfers.add_account(platform, site_url, username, label, profile=profile,
                                     before_commit=store_password)
    except BaseException:
        for key in written:  # the commit failed after the keyring write
            try:
                keyring.delete(key)
            except KnownError:
                log.warning("could not delete %s after a failed commit (it names no account)",
                            key)
        raise
