"""What every settings tab shares: the services it may call and the keyring helpers.

Secrets only ever go through :class:`app.credentials.CredentialStore`, in the executor; when the
keyring is unusable nothing is saved, the typed secret stays in its field for a retry, and the
dialog's banner says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton

from app.config import Settings
from app.desk.api import DeskBackend
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named


@dataclass
class SettingsContext:
    """The dialog's services, handed to each tab.

    Attributes:
        settings: the settings loaded at start-up (tabs keep their own edited copies).
        backend: the desk backend (portal accounts), or None before the database is connected.
        executor: where blocking calls run (keyring, database, IMAP, Stripe, the browser).
        tasks: owns the tabs' coroutines.
        keyring_problem: shows (or, with "", clears) the dialog's keyring banner.
    """

    settings: Settings
    backend: DeskBackend | None
    executor: ServiceExecutor
    tasks: TaskGroup
    keyring_problem: Callable[[str], None]

    async def store_secret(self, key: str, secret: str, result: QLabel) -> bool:
        """Save ``secret`` under ``key``; say the outcome in ``result``. False: nothing saved."""
        from app.credentials import CredentialStore

        if not secret:
            result.setText("Type the secret first.")
            return False
        try:
            await self.executor.call(CredentialStore().set, key, secret)
        except KnownError as exc:
            result.setText(f"Not saved: {exc}")
            self.keyring_problem(f"Passwords cannot be saved: {exc}")
            return False
        result.setText("Saved in the OS keyring.")
        return True

    async def read_secret(self, key: str, result: QLabel) -> str | None:
        """The secret under ``key``; None (and the reason in ``result``) if there is none."""
        from app.credentials import CredentialStore

        try:
            secret = await self.executor.call(CredentialStore().get, key)
        except KnownError as exc:
            result.setText(f"Cannot read the keyring: {exc}")
            self.keyring_problem(f"Passwords cannot be read: {exc}")
            return None
        if not secret:
            result.setText(f"No password stored for {key}: type it and press Save first.")
        return secret


def result_row(form: QFormLayout, name: str, *buttons: QPushButton) -> QLabel:
    """Add a row of ``buttons`` and a word-wrapped result label (returned) to ``form``."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    result = named(QLabel(wordWrap=True), name)
    row.addWidget(result, 1)
    form.addRow(row)
    return result
