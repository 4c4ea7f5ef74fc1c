"""Editing and removing a portal account: the row, its keyring password and its saved session.

:class:`AccountEditService` is what ``transferdesk accounts edit|remove`` and the desk's
"Edit…" / "Remove…" call. Each is one transaction with its audit row (``account_edited``,
``account_retired``, ``account_removed``); the keyring follows the row as in
:mod:`app.services.account_setup`:

- The keyring is probed first: a locked or plaintext one refuses before the database is touched.
- A new password is written to ``portal:<id>`` inside the row's transaction, so a refused write
  rolls the row back; if the commit fails after the write, the old password is put back. The
  slot is named by the account's id, so a changed username keeps the same slot.
- Removing deletes the slot inside the transaction (a refusal rolls the removal back) and puts
  the password back if the commit then fails.
- A changed site or username, and a removal, delete the saved browser session of the old
  identity (:mod:`app.browser_sessions`) after the commit; sessions are keyed by site and
  username, so the new identity never reuses the old one's cookies anyway. A new site also
  clears the recorded selector profile (detected again at the next sign-in).

Who may: supervisors change the row (name, username, mode, site) and remove; a password-only
change is allowed to staff, as Settings' "Save password" is (it is audited all the same).
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from app.browser_sessions import forget_saved_session, session_key
from app.credentials import CredentialStore, check_backend, portal_key
from app.db.models import AuditLog, PortalAccount
from app.domain.accounts import AccountChanges, AccountEdited, AccountRemoved
from app.domain.errors import DomainError
from app.domain.states import Role, Status
from app.errors import KnownError
from app.repositories import accounts as repo
from app.repositories import mapping
from app.services import transitions
from app.services.base import Service

__all__ = ["AccountEditService"]

log = logging.getLogger(__name__)

#: The row's fields an edit may change, with the words used for them.
_FIELDS = (("label", "name"), ("username", "username"), ("automation_mode", "automation mode"),
           ("site_url", "site URL"))


class AccountEditService(Service):
    """Edit or remove portal accounts (blocking: database, keyring, files).

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        store: the keyring (None: the default :class:`~app.credentials.CredentialStore`).
        sessions_dir: where this machine keeps saved browser sessions (None: keeps none).
    """

    def __init__(self, bind: Engine | sessionmaker[Session], actor_name: str = "",
                 role: Role | str | None = None, *, store: CredentialStore | None = None,
                 sessions_dir: Path | None = None) -> None:
        super().__init__(bind, actor_name, role)
        self._store = store
        self.sessions_dir = sessions_dir

    @property
    def keyring(self) -> CredentialStore:
        """The keyring this service writes to."""
        if self._store is None:
            self._store = CredentialStore()
        return self._store

    def edit(self, account_id: int, changes: AccountChanges) -> AccountEdited:
        """Change the account's name, username, password, automation mode or site URL.

        Raises:
            KnownError: bad input or nothing to change (DomainError), no such account
                (NotFoundError), a retired account, the same site and username as another
                account, not allowed (PermissionDeniedError), or a keyring that is locked or
                refuses the password; nothing is then changed.
        """
        changes = changes.checked()
        if changes.password is not None:
            check_backend(probe=True)
        restore: list[str | None] = []  # the old password, once the new one is written
        key = portal_key(str(account_id))
        try:
            with self.transaction() as session:
                account = repo.locked_account(session, account_id)
                if not account.active:
                    raise DomainError(f"portal account {account_id} is retired: it cannot be "
                                      "edited")
                old_key = session_key(account.site_url, account.username)
                before = {name: getattr(account, name) for name, _ in _FIELDS}
                after = {name: value for name, _ in _FIELDS
                         if (value := _value(changes, name)) is not None}
                changed = [name for name, _ in _FIELDS
                           if name in after and after[name] != before[name]]
                if changed:
                    transitions.require_role(session, Role.SUPERVISOR, "edit portal accounts")
                    self._check_identity(session, account, after)
                    for name in changed:
                        setattr(account, name, after[name])
                    if "site_url" in changed:
                        account.profile = None  # another site: detected at its next sign-in
                words = [word for name, word in _FIELDS if name in changed]
                if changes.password is not None:
                    words.append("password")
                if not words:
                    raise DomainError(f"nothing to change: portal account {account_id} already "
                                      "has these details")
                session.add(AuditLog(action="account_edited", actor_name=self.actor_name,
                                     detail=_edit_detail(account, changed, before, words)))
                session.flush()
                info = mapping.account_info(account)
                if changes.password is not None:
                    old = self.keyring.get(key)
                    self.keyring.set(key, changes.password)
                    restore.append(old)
        except BaseException:
            if restore:  # the commit failed after the keyring write: put the old one back
                self._put_back(key, restore[0])
            raise
        dropped = False
        if session_key(info.site_url, info.username) != old_key:
            dropped = self._forget_session(old_key)
        return AccountEdited(info, tuple(words), dropped)

    def remove(self, account_id: int) -> AccountRemoved:
        """Retire the account (transfers refer to it) or delete it (nothing does), with its
        keyring password and saved session (supervisors).

        Raises:
            KnownError: no such account, already retired, open transfers or an active run or
                claim (the message says how many and which statuses), not allowed, or a
                keyring that is locked or refuses the deletion; nothing is then changed.
        """
        check_backend(probe=True)
        key = portal_key(str(account_id))
        restore: list[str] = []
        try:
            with self.transaction() as session:
                transitions.require_role(session, Role.SUPERVISOR, "remove portal accounts")
                account = repo.locked_account(session, account_id)
                if not account.active:
                    raise DomainError(f"portal account {account_id} is already retired")
                _refuse_while_in_use(session, account)
                info = mapping.account_info(account)
                retired = repo.has_history(session, account_id)
                session.add(AuditLog(action="account_retired" if retired else "account_removed",
                                     actor_name=self.actor_name,
                                     detail=_account_detail(account)))
                if retired:
                    account.active = False
                else:
                    session.execute(delete(PortalAccount).where(PortalAccount.id == account_id))
                session.flush()
                old = self.keyring.get(key)
                if old is not None:
                    self.keyring.delete(key)
                    restore.append(old)
        except BaseException:
            if restore:  # the commit failed after the deletion: the account keeps its password
                self._put_back(key, restore[0])
            raise
        dropped = self._forget_session(session_key(info.site_url, info.username))
        return AccountRemoved(info, retired, bool(restore), dropped)

    def _check_identity(self, session: Session, account: PortalAccount,
                        after: dict[str, str]) -> None:
        site = after.get("site_url", account.site_url)
        username = after.get("username", account.username)
        if (other := repo.same_identity(session, account, site, username)) is not None:
            raise DomainError(f"portal account {username!r} on {site} already exists (#{other})")

    def _put_back(self, key: str, old: str | None) -> None:
        try:
            if old is None:
                self.keyring.delete(key)
            else:
                self.keyring.set(key, old)
        except KnownError:
            log.warning("could not restore %s in the keyring after a failed commit", key)

    def _forget_session(self, key: str) -> bool:
        if self.sessions_dir is None:
            return False
        try:
            return forget_saved_session(self.sessions_dir, key)
        except OSError as exc:
            log.warning("could not delete a saved browser session: %s", exc)
            return False


def _value(changes: AccountChanges, name: str) -> str | None:
    value: str | None = getattr(changes, name)
    return None if value is None else str(value)  # the mode is an enum: store its value


def _refuse_while_in_use(session: Session, account: PortalAccount) -> None:
    """Raise DomainError when the account has open transfers or an active run or claim."""
    counts = repo.open_transfer_counts(session, account.id)
    if counts:
        total = sum(counts.values())
        parts = ", ".join(f"{counts[s]} {s.value.replace('_', ' ')}" for s in Status
                          if s in counts)
        raise DomainError(f"portal account {account.id} still has {total} open transfer(s) "
                          f"({parts}): finish them or move them to another account first")
    if (runs := repo.active_runs(session, account.id)) > 0:
        raise DomainError(f"portal account {account.id} has {runs} run(s) or claim(s) in "
                          "progress: wait for them to end")


def _account_detail(account: PortalAccount) -> dict[str, object]:
    return {"account_id": account.id, "username": account.username,
            "site_url": account.site_url, "label": account.label}


def _edit_detail(account: PortalAccount, changed: list[str], before: dict[str, str],
                 words: list[str]) -> dict[str, object]:
    return {**_account_detail(account), "changes": ", ".join(words),
            "from": {name: before[name] for name in changed},
            "to": {name: getattr(account, name) for name in changed}}

