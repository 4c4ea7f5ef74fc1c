"""Settings: database, mailboxes, portal accounts and Stripe, with secrets in the OS keyring.

Non-secret values go to ``config.toml`` (see :mod:`app.config`); every password goes to the
keyring through :class:`app.credentials.CredentialStore`, and nothing is saved when the keyring is
unavailable (the dialog says so plainly). Every check runs off the GUI thread.
"""

from __future__ import annotations

import imaplib
import ssl
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named


def dump_toml(data: dict[str, Any]) -> str:
    """Serialise the subset of TOML the config uses (scalars, lists, tables, arrays of tables)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        text = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{text}"'

    lines: list[str] = []
    tables: list[str] = []
    for key, v in data.items():
        if isinstance(v, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {value(x)}" for k, x in v.items())
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                tables.append(f"\n[[{key}]]")
                tables.extend(f"{k} = {value(x)}" for k, x in item.items())
        else:
            lines.append(f"{key} = {value(v)}")
    return "\n".join(lines + tables) + "\n"


def update_config_file(path: Path, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into the TOML file (a None value removes the key)."""
    raw: dict[str, Any] = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    for key, v in changes.items():
        if v is None:
            raw.pop(key, None)
        else:
            raw[key] = v
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(dump_toml(raw), "utf-8")
    tmp.replace(path)


def check_database(url: str) -> str:
    """Connect and return the server version (raises a KnownError with the reason)."""
    import psycopg

    from app.db.engine import libpq_url

    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    except psycopg.Error as exc:
        raise KnownError(f"cannot connect: {str(exc).strip().splitlines()[0]}") from exc


def check_imap(host: str, port: int, username: str, password: str, tls: bool) -> str:
    """Log in to the mailbox and out again."""
    try:
        if tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=10)
        else:
            client = imaplib.IMAP4(host, port, timeout=10)
        with client:
            client.login(username, password)
            client.logout()
    except (OSError, imaplib.IMAP4.error) as exc:
        raise KnownError(f"mailbox check failed: {exc}") from exc
    return "signed in"


def check_site(url: str) -> str:
    """Reach the portal's sign-in page (the full sign-in runs in the browser on first use)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return f"HTTP {response.status}"
    except OSError as exc:
        raise KnownError(f"portal unreachable: {exc}") from exc


class SettingsDialog(QDialog):
    """The settings window (open it with ``.open()``)."""

    def __init__(
        self, settings: Settings, backend: Any, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(560, 420)
        self._settings, self._backend = settings, backend
        self._executor, self._tasks = executor, tasks
        self.keyring_label = named(QLabel(wordWrap=True), "keyring status")
        self.keyring_label.setStyleSheet("color: #d32f2f")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._database_tab(), "Database")
        self.tabs.addTab(self._mailbox_tab(), "Mailboxes")
        self.tabs.addTab(self._portal_tab(), "Portal accounts")
        self.tabs.addTab(self._stripe_tab(), "Stripe")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self._tasks.spawn(self.check_keyring())

    # --- tabs -----------------------------------------------------------------------------
    def _result_row(self, form: QFormLayout, *buttons: QPushButton) -> QLabel:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        result = QLabel(wordWrap=True)
        row.addWidget(result, 1)
        form.addRow(row)
        return result

    def _database_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.db_url = QLineEdit(self._settings.database_url or "")
        self.db_url.setPlaceholderText("empty: the embedded database")
        self.display_name = QLineEdit(self._settings.display_name)
        form.addRow("Database URL", self.db_url)
        form.addRow("Your name (audit log)", self.display_name)
        test, save = QPushButton("Test connection"), QPushButton("Save")
        self.db_result = self._result_row(form, test, save)
        test.clicked.connect(lambda: self._tasks.spawn(self.test_database()))
        save.clicked.connect(self.save_database)
        return page

    def _mailbox_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        first = self._settings.mailboxes[0] if self._settings.mailboxes else None
        self.mail_name = QLineEdit(first.name if first else "transfers")
        self.mail_host = QLineEdit(first.host if first else "")
        self.mail_port = QSpinBox(minimum=1, maximum=65535, value=first.port if first else 993)
        self.mail_user = QLineEdit(first.username if first else "")
        self.mail_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.mail_password.setPlaceholderText("stored in the OS keyring")
        for label, widget in (("Name", self.mail_name), ("IMAP host", self.mail_host),
                              ("Port", self.mail_port), ("Username", self.mail_user),
                              ("Password", self.mail_password)):
            form.addRow(label, widget)
        test, save = QPushButton("Test connection"), QPushButton("Save password")
        self.mail_result = self._result_row(form, test, save)
        test.clicked.connect(lambda: self._tasks.spawn(self.test_mailbox()))
        save.clicked.connect(lambda: self._tasks.spawn(self.save_mailbox_password()))
        return page

    def _portal_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.portal_account = QComboBox()
        self.portal_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.portal_password.setPlaceholderText("stored in the OS keyring")
        form.addRow("Account", self.portal_account)
        form.addRow("Password", self.portal_password)
        test, save = QPushButton("Test connection"), QPushButton("Save password")
        self.portal_result = self._result_row(form, test, save)
        test.clicked.connect(lambda: self._tasks.spawn(self.test_portal()))
        save.clicked.connect(lambda: self._tasks.spawn(self.save_portal_password()))
        if self._backend is not None:
            self._tasks.spawn(self._load_accounts())
        return page

    def _stripe_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.stripe_mode = QComboBox()
        self.stripe_mode.addItems(["test", "live"])
        self.stripe_key = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.stripe_key.setPlaceholderText("sk_test_… (stored in the OS keyring)")
        form.addRow("Mode", self.stripe_mode)
        form.addRow("Secret key", self.stripe_key)
        save = QPushButton("Save key")
        self.stripe_result = self._result_row(form, save)
        save.clicked.connect(lambda: self._tasks.spawn(self.save_stripe_key()))
        return page

    # --- keyring --------------------------------------------------------------------------
    async def check_keyring(self) -> bool:
        """Say plainly when secrets cannot be saved."""
        from app.credentials import check_backend

        try:
            await self._executor.call(check_backend, None, probe=True)
        except KnownError as exc:
            self.keyring_label.setText(f"Passwords cannot be saved: {exc}")
            return False
        self.keyring_label.clear()
        return True

    async def _store_secret(self, key: str, secret: str, result: QLabel) -> bool:
        from app.credentials import CredentialStore

        if not secret:
            result.setText("Type the secret first.")
            return False
        try:
            await self._executor.call(CredentialStore().set, key, secret)
        except KnownError as exc:
            result.setText(f"Not saved: {exc}")
            self.keyring_label.setText(f"Passwords cannot be saved: {exc}")
            return False
        result.setText("Saved in the OS keyring.")
        return True

    async def _secret(self, key: str) -> str | None:
        from app.credentials import CredentialStore

        return await self._executor.call(CredentialStore().get, key)

    # --- actions --------------------------------------------------------------------------
    async def test_database(self) -> None:
        """Check the URL typed (or the embedded database)."""
        url = self.db_url.text().strip()
        self.db_result.setText("Testing…")
        try:
            if not url:
                from app.db.engine import resolve_database_url

                url = await self._executor.call(resolve_database_url, self._settings)
            version = await self._executor.call(check_database, url)
        except KnownError as exc:
            self.db_result.setText(str(exc))
            return
        self.db_result.setText(f"Connected (PostgreSQL {version})")

    def save_database(self) -> None:
        """Write the database URL and display name to the config file (no secrets there)."""
        url = self.db_url.text().strip() or None
        if url and "@" in url and ":" in url.split("@")[0].split("//")[-1]:
            self.db_result.setText("Put the password in ~/.pgpass or the keyring, not the URL.")
            return
        update_config_file(self._settings.config_path, {
            "database_url": url, "display_name": self.display_name.text().strip() or None,
        })
        self.db_result.setText("Saved; restart TransferDesk to use it.")

    async def test_mailbox(self) -> None:
        """Sign in to the mailbox with the typed or stored password."""
        from app.credentials import mailbox_key

        password = self.mail_password.text() or await self._secret(
            mailbox_key(self.mail_name.text().strip()))
        if not password:
            self.mail_result.setText("No password typed or stored.")
            return
        try:
            result = await self._executor.call(
                check_imap, self.mail_host.text().strip(), self.mail_port.value(),
                self.mail_user.text().strip(), password, self.mail_port.value() == 993)
        except KnownError as exc:
            self.mail_result.setText(str(exc))
            return
        self.mail_result.setText(f"OK: {result}")

    async def save_mailbox_password(self) -> bool:
        """Store the mailbox password in the keyring."""
        from app.credentials import mailbox_key

        key = mailbox_key(self.mail_name.text().strip() or "transfers")
        saved = await self._store_secret(key, self.mail_password.text(), self.mail_result)
        if saved:
            self.mail_password.clear()
        return saved

    async def _load_accounts(self) -> None:
        for account in await self._executor.call(self._backend.accounts):
            label = f"{account.label or account.username} — {account.site_url}"
            self.portal_account.addItem(label, account)

    async def test_portal(self) -> None:
        """Reach the selected account's site."""
        account = self.portal_account.currentData()
        if account is None:
            self.portal_result.setText("No portal account configured.")
            return
        try:
            status = await self._executor.call(check_site, account.site_url)
        except KnownError as exc:
            self.portal_result.setText(str(exc))
            return
        self.portal_result.setText(f"Reachable ({status})")

    async def save_portal_password(self) -> bool:
        """Store the selected account's password (``portal:<id>``)."""
        from app.credentials import portal_key

        account = self.portal_account.currentData()
        if account is None:
            self.portal_result.setText("No portal account configured.")
            return False
        key = portal_key(str(account.id))
        saved = await self._store_secret(key, self.portal_password.text(), self.portal_result)
        if saved:
            self.portal_password.clear()
        return saved

    async def save_stripe_key(self) -> bool:
        """Store the Stripe secret key for the chosen mode."""
        from app.credentials import stripe_key

        key = stripe_key("live") if self.stripe_mode.currentText() == "live" else stripe_key("test")
        saved = await self._store_secret(key, self.stripe_key.text(),
                                         self.stripe_result)
        if saved:
            self.stripe_key.clear()
        return saved
