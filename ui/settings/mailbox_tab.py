"""Mailbox tab: the IMAP mailbox that receives transfer notices and verification codes.

Host, port, TLS, username and folder go to ``[[mailboxes]]`` in config.toml (what the app reads at
start-up); the password goes to the keyring as ``mailbox:<name>``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QPushButton, QSpinBox, QWidget

from app.config import MailboxSettings
from app.errors import KnownError
from ui.settings.common import SettingsContext, result_row
from ui.widgets import named

IMAPS_PORT, IMAP_PORT = 993, 143


class MailboxTab(QWidget):
    """Edit, test and save the first configured mailbox (or a new one)."""

    def __init__(self, context: SettingsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        first = context.settings.mailboxes[0] if context.settings.mailboxes else None
        self._saved_name = first.name if first else None
        self._processed_folder = first.processed_folder if first else None
        form = QFormLayout(self)
        self.name = named(QLineEdit(first.name if first else "transfers"), "mailbox name")
        self.host = named(QLineEdit(first.host if first else ""), "imap host")
        self.port = named(QSpinBox(minimum=1, maximum=65535,
                                   value=first.port if first else IMAPS_PORT), "imap port")
        self.tls = named(QCheckBox("Use TLS (IMAPS)"), "imap tls")
        self.tls.setChecked(first.tls if first else True)
        self.tls.toggled.connect(self._default_port)
        self.username = named(QLineEdit(first.username if first else ""), "imap username")
        self.folder = named(QLineEdit(first.folder if first else "INBOX"), "imap folder")
        self.password = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "imap password")
        self.password.setPlaceholderText("stored in the OS keyring")
        for label, widget in (("Name", self.name), ("IMAP host", self.host), ("Port", self.port),
                              ("", self.tls), ("Username", self.username),
                              ("Folder", self.folder), ("Password", self.password)):
            form.addRow(label, widget)
        self.test_button, self.save_button = QPushButton("Test connection"), QPushButton("Save")
        self.result = result_row(form, "mailbox result", self.test_button, self.save_button)
        self.test_button.clicked.connect(lambda: context.tasks.spawn(self.test()))
        self.save_button.clicked.connect(lambda: context.tasks.spawn(self.save()))

    def _default_port(self, tls: bool) -> None:
        if self.port.value() in (IMAPS_PORT, IMAP_PORT):
            self.port.setValue(IMAPS_PORT if tls else IMAP_PORT)

    def mailbox(self) -> MailboxSettings:
        """The mailbox as typed."""
        return MailboxSettings(
            name=self.name.text().strip(), host=self.host.text().strip(),
            username=self.username.text().strip(), port=self.port.value(),
            tls=self.tls.isChecked(), folder=self.folder.text().strip() or "INBOX",
            processed_folder=self._processed_folder,
        )

    async def test(self) -> bool:
        """Sign in with the typed password (else the stored one) and open the folder."""
        from app.connection_checks import check_mailbox
        from app.credentials import mailbox_key

        box = self.mailbox()
        if not (box.name and box.host and box.username):
            self.result.setText("Type the name, IMAP host and username first.")
            return False
        password = self.password.text() or await self._context.read_secret(
            mailbox_key(box.name), self.result)
        if not password:
            return False
        self.result.setText("Testing…")
        try:
            summary = await self._context.executor.call(check_mailbox, box, password)
        except KnownError as exc:
            self.result.setText(str(exc))
            return False
        self.result.setText(f"OK: {summary}")
        return True

    async def save(self) -> bool:
        """Write the mailbox to config.toml, and the password (if typed) to the keyring."""
        from app.config_writer import MailboxChange, update_config
        from app.credentials import mailbox_key

        box = self.mailbox()
        path = self._context.settings.config_path
        try:
            await self._context.executor.call(
                update_config, path, None, MailboxChange(box, replaces=self._saved_name))
        except KnownError as exc:
            self.result.setText(f"Not saved: {exc}")
            return False
        self._saved_name = box.name
        message = f"Saved to {path}; restart TransferDesk (and mail sync) to use it."
        if self.password.text():
            if not await self._context.store_secret(
                    mailbox_key(box.name), self.password.text(), self.result):
                self.result.setText(f"Settings saved, password NOT saved: {self.result.text()}")
                return False
            self.password.clear()
            message += " Password saved in the OS keyring."
        self.result.setText(message)
        return True
