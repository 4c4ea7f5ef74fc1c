"""Settings: database, mailbox, portal accounts and Stripe, with secrets in the OS keyring.

Non-secret values go to ``config.toml`` through :func:`app.config_writer.update_config` (comments
and other keys kept; the app reads them at the next start); every password and key goes to the
keyring through :class:`app.credentials.CredentialStore`. When the keyring is unavailable, or only
a plaintext backend exists, the banner says so plainly and nothing is saved. Every check (database,
IMAP, a real portal sign-in, Stripe) runs off the GUI thread; each tab lives in
:mod:`ui.settings`. The window's size and last tab persist in QSettings.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.config import Settings
from app.desk.api import DeskBackend
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings.common import SettingsContext
from ui.settings.database_tab import DatabaseTab
from ui.settings.mailbox_tab import MailboxTab
from ui.settings.portal_tab import PortalTab
from ui.settings.stripe_tab import StripeTab
from ui.widgets import named

#: The tabs' names, in order (for :meth:`SettingsDialog.show_tab`).
TABS = ("database", "mailbox", "portal", "stripe")


class SettingsDialog(QDialog):
    """The settings window (open it with ``.open()``)."""

    def __init__(
        self, settings: Settings, backend: DeskBackend | None, executor: ServiceExecutor,
        tasks: TaskGroup, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(640, 460)
        self._executor, self._tasks = executor, tasks
        self.keyring_label = named(QLabel(wordWrap=True), "keyring status")
        self.keyring_label.setStyleSheet("color: #d32f2f")
        context = SettingsContext(settings, backend, executor, tasks, self.keyring_label.setText)
        self.database = DatabaseTab(context)
        self.mailbox = MailboxTab(context)
        self.portal = PortalTab(context)
        self.stripe = StripeTab(context)
        self.tabs = QTabWidget()
        for tab, title in ((self.database, "Database"), (self.mailbox, "Mailbox"),
                           (self.portal, "Portal accounts"), (self.stripe, "Stripe")):
            self.tabs.addTab(tab, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.finished.connect(self._on_finished)
        self._restore_preferences()
        tasks.spawn(self.check_keyring())
        tasks.spawn(self.portal.load_accounts())

    def show_tab(self, name: str) -> None:
        """Show the tab called ``name`` (one of :data:`TABS`), e.g. from the first-run panel."""
        self.tabs.setCurrentIndex(TABS.index(name))

    def _restore_preferences(self) -> None:
        store = QSettings()
        if (geometry := store.value("settings/geometry")) is not None:
            self.restoreGeometry(geometry)
        tab = str(store.value("settings/tab", 0))
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() else 0)

    def _on_finished(self, _result: int) -> None:
        """Decline a pending code prompt; remember the window's size and the tab shown."""
        self.portal.shutdown()
        store = QSettings()
        store.setValue("settings/geometry", self.saveGeometry())
        store.setValue("settings/tab", self.tabs.currentIndex())

    async def check_keyring(self) -> bool:
        """Say plainly when secrets cannot be saved (plaintext backend, locked, no D-Bus)."""
        from app.credentials import check_backend

        try:
            await self._executor.call(check_backend, None, probe=True)
        except KnownError as exc:
            self.keyring_label.setText(f"Passwords cannot be saved: {exc}")
            return False
        self.keyring_label.clear()
        return True
