"""Settings on real services: Secret Service keyring, PostgreSQL, Dovecot, localstripe, and a real
sign-in in Chromium on the sandbox portal. Non-secret settings land in config.toml and a restart
(a fresh load of the file) picks them up; secrets never appear in the file, a label or a log."""

from __future__ import annotations

import logging
import re
import secrets
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtWidgets import QLabel
from sqlalchemy import Engine, select

from app.config import load_settings
from app.credentials import CredentialStore, mailbox_key, portal_key, stripe_key
from app.services.transfers import TransferService
from automation.sandbox.payments import TEST_API_KEY, LocalStripeServer
from automation.sandbox.portal import SandboxPortal
from tests.fixtures.dovecot import TestMailbox
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings_dialog import SettingsDialog

SITE = "state-u"


class _Mailer:
    """The portal's outgoing mail: recorded, and delivered to the test mailbox when routed."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[bytes], Any]] = {}
        self.sent: list[tuple[str, bytes]] = []

    def __call__(self, recipient: str, message: bytes) -> None:
        self.sent.append((recipient.lower(), message))
        if (deliver := self.routes.get(recipient.lower())) is not None:
            deliver(message)

    def last_code(self, recipient: str) -> str:
        message = next(m for to, m in reversed(self.sent) if to == recipient.lower())
        found = re.search(rb"verification code is:\s*(\d{6})", message)
        assert found is not None
        return found.group(1).decode()


@pytest.fixture(scope="module")
def mailer() -> _Mailer:
    return _Mailer()


@pytest.fixture(scope="module")
def portal(mailer: _Mailer) -> Iterator[SandboxPortal]:
    with SandboxPortal(mailer=mailer) as server:
        server.add_site(SITE, "State University Athletics", max_attempts=5)
        yield server


@pytest.fixture
def make_dialog(qtbot, tmp_path: Path) -> Iterator[Callable[..., SettingsDialog]]:
    """``make_dialog(backend, **env)``: a dialog over ``tmp_path/config.toml``."""
    executors: list[ServiceExecutor] = []

    def build(backend: Any = None, config_text: str = 'log_level = "INFO"\n',
              **env: str) -> SettingsDialog:
        config = tmp_path / "config.toml"
        if not config.exists():
            config.write_text(config_text, "utf-8")
        settings = load_settings(config, environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "data"),
                                                  **env})
        executor = ServiceExecutor(2)
        executors.append(executor)
        dialog = SettingsDialog(settings, backend, executor, TaskGroup())
        qtbot.addWidget(dialog)
        dialog.open()
        return dialog

    yield build
    for executor in executors:
        executor.shutdown(wait=True)


def _all_text(dialog: SettingsDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_passwords_go_to_the_keyring(run, until, make_dialog, keyring_service, backend,
                                     account_id):
    dialog = make_dialog(backend)
    assert run(dialog.check_keyring())
    until(lambda: dialog.portal.account.count() == 1)
    assert "paciolan" in dialog.portal.details.text()
    dialog.portal.password.setText("portal-secret-1")
    assert run(dialog.portal.save())
    dialog.stripe.key.setText("sk_test_123")
    assert run(dialog.stripe.save())
    dialog.stripe.mode.setCurrentIndex(1)  # live mode refuses a test key
    dialog.stripe.key.setText("sk_test_456")
    assert not run(dialog.stripe.save())
    assert "test-mode key" in dialog.stripe.result.text()
    store = CredentialStore()
    assert store.get(portal_key(str(account_id))) == "portal-secret-1"
    assert store.get(stripe_key("test")) == "sk_test_123"
    assert store.get(stripe_key("live")) is None
    assert dialog.portal.password.text() == ""  # no secret lingers in a saved field
    dialog.tabs.setCurrentWidget(dialog.stripe)
    dialog.resize(700, 520)
    dialog.reject()
    again = make_dialog(backend)  # preferences persist: the last tab and the size
    assert again.tabs.currentWidget() is again.stripe
    assert (again.width(), again.height()) == (700, 520)


@pytest.mark.parametrize("unsafe", [fail.Keyring, PlaintextKeyring], ids=["none", "plaintext"])
def test_unusable_keyring_says_so_and_saves_nothing(run, make_dialog, keyring_service, tmp_path,
                                                    monkeypatch, unsafe):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # where a plaintext file would go
    dialog = make_dialog()
    keyring.set_keyring(unsafe())
    assert not run(dialog.check_keyring())
    assert "Passwords cannot be saved" in dialog.keyring_label.text()
    dialog.stripe.key.setText("sk_test_999")
    assert not run(dialog.stripe.save())
    assert dialog.stripe.result.text().startswith("Not saved")
    assert dialog.stripe.key.text() == "sk_test_999"  # kept for a retry
    assert not (tmp_path / "xdg").exists(), "nothing written to a plaintext keyring file"


def test_database_test_save_and_restart(run, make_dialog, tmp_path, database_url):
    dialog = make_dialog(config_text='# desk 3\nlog_level = "INFO"  # verbose enough\n',
                         TRANSFERDESK_DATABASE_URL=database_url)
    assert run(dialog.database.test())
    assert dialog.database.result.text().startswith("Connected (PostgreSQL 15")
    dialog.database.url.setText("postgresql://127.0.0.1:1/nowhere")
    assert not run(dialog.database.test())
    assert dialog.database.result.text().startswith("cannot connect")
    dialog.database.url.setText("postgresql://staff@db.internal/transferdesk")
    dialog.database.display_name.setText("Dana (desk 3)")
    assert dialog.database.save()
    config = tmp_path / "config.toml"
    assert tomllib.loads(config.read_text("utf-8")) == {
        "log_level": "INFO", "database_url": "postgresql://staff@db.internal/transferdesk",
        "display_name": "Dana (desk 3)"}
    assert "# verbose enough" in config.read_text("utf-8")
    restarted = load_settings(config, environ={})
    assert restarted.database_url == "postgresql://staff@db.internal/transferdesk"
    dialog.database.url.setText("postgresql://staff:hunter2@db.internal/transferdesk")
    assert not dialog.database.save()
    assert "password" in dialog.database.result.text()
    assert "hunter2" not in config.read_text("utf-8")


def test_mailbox_saved_tested_and_read_after_restart(run, make_dialog, tmp_path, keyring_service,
                                                     mailbox: TestMailbox, caplog):
    caplog.set_level(logging.DEBUG)
    dialog = make_dialog()
    tab = dialog.mailbox
    tab.tls.setChecked(False)
    assert tab.port.value() == 143  # plain IMAP's port follows the TLS switch
    tab.name.setText("transfers")
    tab.host.setText(mailbox.host)
    tab.port.setValue(mailbox.port)
    tab.username.setText(mailbox.username)
    tab.folder.setText("INBOX")
    tab.password.setText("wrong-password")
    assert not run(tab.test())
    assert "refused the login" in tab.result.text()
    tab.password.setText(mailbox.password)
    assert run(tab.test())
    assert tab.result.text() == "OK: signed in; INBOX holds 0 messages"
    assert run(tab.save())
    assert tab.password.text() == ""
    assert CredentialStore().get(mailbox_key("transfers")) == mailbox.password

    config = (tmp_path / "config.toml").read_text("utf-8")
    assert mailbox.password not in config and "password" not in config
    (box,) = load_settings(tmp_path / "config.toml", environ={}).mailboxes  # a restart
    assert (box.name, box.host, box.port, box.tls, box.username, box.folder) == (
        "transfers", mailbox.host, mailbox.port, False, mailbox.username, "INBOX")
    reopened = make_dialog()  # the next start shows what was saved, and tests with the keyring
    assert reopened.mailbox.host.text() == mailbox.host
    assert not reopened.mailbox.tls.isChecked()
    assert run(reopened.mailbox.test())
    assert mailbox.password not in caplog.text + _all_text(dialog) + _all_text(reopened)


def test_stripe_test_shows_mode_and_balance_never_the_key(
    run, make_dialog, keyring_service, localstripe: LocalStripeServer, caplog
):
    caplog.set_level(logging.DEBUG)
    dialog = make_dialog(TRANSFERDESK_STRIPE_API_BASE=localstripe.base_url)
    tab = dialog.stripe
    assert not run(tab.test())
    assert "TEST MODE: no secret stored for stripe:test" in tab.result.text()
    tab.key.setText(TEST_API_KEY)
    assert run(tab.save())
    assert run(tab.test())
    assert tab.result.text().startswith("TEST MODE: account")
    assert "available 20.00 EUR" in tab.result.text()  # localstripe's balance

    live_key = "sk_live_" + secrets.token_hex(8)
    CredentialStore().set(stripe_key("live"), live_key)
    tab.mode.setCurrentIndex(1)
    assert not run(tab.test())
    assert "LIVE: refusing to send a live Stripe key" in tab.result.text()
    assert TEST_API_KEY not in caplog.text + _all_text(dialog)
    assert live_key not in caplog.text + _all_text(dialog)


def _portal_account(engine: Engine, portal: SandboxPortal, mfa: str) -> tuple[Any, str]:
    email = f"desk-{secrets.token_hex(4)}@market.test"
    password = secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk", mfa=mfa)
    info = TransferService(engine, "tests").add_account("paciolan", portal.site_url(SITE), email,
                                                        "State U")
    return info, password


def test_portal_sign_in_reads_the_code_from_the_mailbox(
    run, until, make_dialog, engine, backend, keyring_service, portal, mailer,
    mailbox: TestMailbox, tmp_path, caplog,
):
    caplog.set_level(logging.DEBUG)
    info, password = _portal_account(engine, portal, mfa="always")
    mailer.routes[info.username] = mailbox.append
    (tmp_path / "config.toml").write_text(
        f'[[mailboxes]]\nname = "codes"\nhost = "{mailbox.host}"\nport = {mailbox.port}\n'
        f'tls = false\nusername = "{mailbox.username}"\n', "utf-8")
    CredentialStore().set(mailbox_key("codes"), mailbox.password)
    dialog = make_dialog(backend)
    tab = dialog.portal
    until(lambda: tab.account.count() == 1)
    tab.password.setText(password)
    assert not run(tab.test())  # typed but not saved yet
    assert "Save the password first" in tab.result.text()
    assert run(tab.save())
    assert run(tab.test(), timeout=120), tab.result.text()
    assert tab.result.text().startswith(f"Signed in as {info.username} on {info.site_url}")
    assert "verification code read from the mailbox" in tab.result.text()
    assert tab.code_row.isHidden(), "the mailbox was enough: no prompt"
    assert password not in caplog.text + _all_text(dialog)


def test_portal_sign_in_asks_inline_for_the_code_and_reports_a_wrong_password(
    run, until, make_dialog, engine, backend, keyring_service, portal, mailer, caplog,
):
    caplog.set_level(logging.DEBUG)
    info, password = _portal_account(engine, portal, mfa="always")
    CredentialStore().set(portal_key(str(info.id)), password)
    dialog = make_dialog(backend)  # no mailbox configured: the operator types the code
    tab = dialog.portal
    until(lambda: tab.account.count() == 1)
    task = dialog._tasks.spawn(tab.test())
    until(lambda: not tab.code_row.isHidden(), timeout=60)
    assert info.username in tab.code_label.text()
    tab.code.setText(mailer.last_code(info.username))
    tab.submit_code()
    until(task.done, timeout=60)
    assert task.result(), tab.result.text()
    assert tab.result.text().endswith("verification code typed")
    assert tab.code_row.isHidden()

    CredentialStore().set(portal_key(str(info.id)), "not-the-password")
    assert not run(tab.test(), timeout=120)
    assert tab.result.text().startswith("Sign-in failed: the portal refused the sign-in")
    assert password not in caplog.text + _all_text(dialog)
    assert "not-the-password" not in caplog.text + _all_text(dialog)


def test_a_portal_accounts_automation_mode_is_set_in_settings(run, until, make_dialog, engine,
                                                              backend, account_id):
    from app.db.models import AuditLog
    from app.services.breakers import BreakerService

    dialog = make_dialog(backend)
    until(lambda: dialog.portal.account.count() == 1)
    until(lambda: dialog.portal.mode.currentText() == "automatic")
    dialog.portal.mode.setCurrentText("assisted")
    assert run(dialog.portal.apply_mode())
    assert "automatic → assisted" in dialog.portal.result.text()
    assert BreakerService(engine).automation_mode(account_id) == "assisted"
    with engine.connect() as conn:
        audit = conn.execute(select(AuditLog.actor_name, AuditLog.detail)
                             .where(AuditLog.action == "automation_mode")).one()
    assert audit.detail["to"] == "assisted" and audit.actor_name == backend.actor_name
