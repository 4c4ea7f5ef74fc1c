"""Browser storage state (cookies, local storage) encrypted at rest with Fernet.

One file per portal account in ``<data dir>/browser/``; the key is a Fernet key kept in the OS
keyring (``storage-key``), so a copied data dir does not carry a usable session.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from app.browser_sessions import session_file

log = logging.getLogger(__name__)


class StorageStateStore:
    """Load and save Playwright storage states, encrypted, one file per account.

    Args:
        directory: where the ``*.state`` files live (created on first save, mode 0700).
        key: a Fernet key (``Fernet.generate_key()``).
    """

    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self._fernet = Fernet(key)

    def path_for(self, account: str) -> Path:
        """The file holding ``account``'s state (the name does not reveal the account)."""
        return session_file(self.directory, account)

    def load(self, account: str) -> dict[str, Any] | None:
        """The decrypted storage state, or None when absent or unreadable (sign in again)."""
        path = self.path_for(account)
        try:
            token = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            state = json.loads(self._fernet.decrypt(token))
        except (InvalidToken, ValueError):
            log.warning("stored browser session for an account is unreadable; signing in again")
            return None
        return state if isinstance(state, dict) else None

    def save(self, account: str, state: dict[str, Any]) -> None:
        """Encrypt and write ``state`` atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        path = self.path_for(account)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(self._fernet.encrypt(json.dumps(state).encode("utf-8")))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def forget(self, account: str) -> None:
        """Delete the stored state (the next run signs in)."""
        self.path_for(account).unlink(missing_ok=True)
