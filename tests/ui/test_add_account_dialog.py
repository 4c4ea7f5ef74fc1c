"""Settings > Portal accounts > "Add account…" on real services: PostgreSQL (as the supervisor
role), the Secret Service keyring and, for the test sign-in, Chromium on the sandbox portal.
An account is saved as its row AND its keyring slot, or not at all; the password appears in no
log line, no label and no table."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring
import pytest
import secretstorage
from keyring.backends import fail
from PySide6.QtWidgets import QLabel
from sqlalchemy import Engine, text

from app.config import load_settings
from app.credentials import CredentialStore, KeyringUnavailableError, portal_key
from app.desk.service_backend import ServiceBackend
from app.domain.states import Role
from app.services.queue import QueueService
from automation.sandbox.portal import SandboxPortal
from tests.secret_scan import found_in
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings.add_account_dialog import AddAccountDialog
from ui.settings_dialog import SettingsDialog

SITE = "state-u"
PASSWORD = "Tr0ub4dor-&-3-add-account"


@pytest.fixture
def open_add(qtbot, tmp_path: Path, until) -> Iterator[Callable[..., AddAccountDialog]]:
    """``open_add(backend)``: Settings at the Portal accounts tab, then its Add account… dialog."""
    executors: list[ServiceExecutor] = []
    kept: list[SettingsDialog] = []  # the test holds only the add dialog

    def build(backend: ServiceBackend) -> AddAccountDialog:
        config = tmp_path / "config.toml"
        config.write_text('log_level = "INFO"\n', "utf-8")
        settings = load_settings(config, environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "d")})
        executor = ServiceExecutor(2)
        executors.append(executor)
        settings_dialog = SettingsDialog(settings, backend, executor, TaskGroup())
        qtbot.addWidget(settings_dialog)
        kept.append(settings_dialog)
        settings_dialog.show_tab("portal")
        settings_dialog.open()
        tab = settings_dialog.portal
        until(lambda: tab.result.text() != "" or tab.account.count() > 0)
        tab.add_button.click()
        dialog = tab.add_dialog
        assert dialog is not None and dialog.isVisible()
        return dialog

    yield build
    for executor in executors:
        executor.shutdown(wait=True)


def _supervisor(engine: Engine, role: Role = Role.SUPERVISOR) -> ServiceBackend:
    return ServiceBackend(engine, "Sam (supervisor)", role=role.value)


def _fill(dialog: AddAccountDialog, site_url: str = "https://tickets.state-u.example.edu",
          username: str = "box@market.example", label: str = "State U",
          password: str = PASSWORD) -> None:
    dialog.site_url.setText(site_url)
    dialog.username.setText(username)
    dialog.label.setText(label)
    dialog.password.setText(password)


def _keyring_items(service: str) -> int:
    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        return len(list(collection.search_items({"service": service})))


def _every_table(engine: Engine) -> bytes:
    """Every row of every table in the schema, as JSON text."""
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        rows = [conn.execute(text(f'SELECT coalesce(json_agg(t)::text, \'\') FROM "{name}" t'))
                .scalar_one() for name in tables]
    assert "portal_accounts" in tables and "audit_log" in tables
    return "\n".join(rows).encode()


def _nothing_saved(engine: Engine, keyring_service: str) -> None:
    assert QueueService(engine).accounts() == []
    assert _keyring_items(keyring_service) == 0


def test_a_valid_account_is_saved_as_row_and_keyring_slot_and_shown(
    run, open_add, engine, keyring_service, caplog,
):
    caplog.set_level(logging.DEBUG)
    dialog = open_add(_supervisor(engine))
    assert dialog.platform.currentText() == "paciolan"
    assert dialog.password.echoMode() is dialog.password.EchoMode.Password
    _fill(dialog, site_url=" https://tickets.state-u.example.edu/ ")
    added = []
    dialog.account_added.connect(added.append)

    info = run(dialog.submit())

    assert info is not None and added == [info] and not dialog.isVisible()
    (row,) = QueueService(engine).accounts()
    assert (row.id, row.platform, row.site_url, row.username, row.label) == (
        info.id, "paciolan", "https://tickets.state-u.example.edu", "box@market.example",
        "State U")
    assert CredentialStore().get(portal_key(str(info.id))) == PASSWORD
    tab = dialog.parent()
    assert tab.current_account() == info and tab.account.count() == 1
    assert tab.result.text().startswith(f"Added portal account #{info.id} box@market.example")
    assert dialog.password.text() == ""
    labels = "\n".join(label.text() for label in tab.window().findChildren(QLabel))
    assert "box@market.example" in caplog.text + labels, "the scan looked at real text"
    assert not found_in((caplog.text + labels).encode(), [PASSWORD])
    assert not found_in(_every_table(engine), [PASSWORD])


@pytest.mark.parametrize(("site_url", "username", "password", "expected", "field"), [
    ("http://tickets.state-u.example.edu", "box@market.example", PASSWORD,
     "uses plain http to a real host", "site_url"),
    ("ftp://tickets.state-u.example.edu", "box@market.example", PASSWORD,
     "must be an https:// URL", "site_url"),
    ("https://box:pw@tickets.state-u.example.edu", "box@market.example", PASSWORD,
     "must not carry a user name or password", "site_url"),
    ("https://tickets.state-u.example.edu/?x=1", "box@market.example", PASSWORD,
     "must not have a query or fragment", "site_url"),
    ("", "box@market.example", PASSWORD, "is empty or contains spaces", "site_url"),
    ("https://tickets.state-u.example.edu", "  ", PASSWORD, "needs a username", "username"),
    ("https://tickets.state-u.example.edu", "box@market.example", "", "Type the account's "
     "password", "password"),
], ids=["http-real-host", "ftp", "credentials", "query", "empty-url", "no-username",
        "no-password"])
def test_each_bad_input_says_why_in_one_line_and_saves_nothing(
    run, open_add, engine, keyring_service, site_url, username, password, expected, field,
):
    dialog = open_add(_supervisor(engine))
    _fill(dialog, site_url=site_url, username=username, password=password)
    assert run(dialog.submit()) is None
    assert expected in dialog.error.text() and "\n" not in dialog.error.text()
    assert dialog.isVisible() and dialog.password.text() == password, "kept for a fix"
    assert dialog.focusWidget() in (None, getattr(dialog, field))
    _nothing_saved(engine, keyring_service)


def test_a_loopback_sandbox_may_be_http_and_a_duplicate_is_refused(
    run, open_add, engine, keyring_service,
):
    backend = _supervisor(engine)
    first = open_add(backend)
    _fill(first, site_url="http://127.0.0.1:8123")
    assert run(first.submit()) is not None
    again = open_add(backend)
    _fill(again, site_url="http://127.0.0.1:8123/", password="another-password-1")
    assert run(again.submit()) is None
    assert "already exists" in again.error.text() and again.error.text().startswith("Not added")
    (only,) = QueueService(engine).accounts()
    assert CredentialStore().get(portal_key(str(only.id))) == PASSWORD
    assert _keyring_items(keyring_service) == 1


def test_staff_may_not_add_accounts_and_nothing_is_saved(run, open_add, engine, keyring_service):
    dialog = open_add(_supervisor(engine, Role.STAFF))
    _fill(dialog)
    assert run(dialog.submit()) is None
    assert dialog.error.text().startswith("Not added: not allowed for transferdesk_staff")
    _nothing_saved(engine, keyring_service)


def test_an_unusable_keyring_refuses_before_the_database(run, open_add, engine, keyring_service):
    dialog = open_add(_supervisor(engine))
    keyring.set_keyring(fail.Keyring())
    _fill(dialog)
    assert run(dialog.submit()) is None
    assert dialog.error.text().startswith("Not added: ") and "keyring" in dialog.error.text()
    assert "Passwords cannot be saved" in dialog.parent().window().keyring_label.text()
    assert dialog.password.text() == PASSWORD, "kept for a retry"
    _nothing_saved(engine, keyring_service)


def test_a_keyring_refusing_the_write_leaves_no_row(
    run, open_add, engine, keyring_service, monkeypatch,
):
    """The keyring locks between the probe and the write: the row's transaction rolls back,
    and the same account can be added once the keyring works again."""

    def locked(_store: Any, key: str, _secret: str) -> None:
        raise KeyringUnavailableError(f"the OS keyring is locked; nothing was saved ({key})")

    dialog = open_add(_supervisor(engine))
    _fill(dialog)
    with monkeypatch.context() as patch:
        patch.setattr(CredentialStore, "set", locked)
        assert run(dialog.submit()) is None
    assert "keyring is locked" in dialog.error.text()
    _nothing_saved(engine, keyring_service)
    info = run(dialog.submit())  # the retry: no leftover row makes it a duplicate
    assert info is not None and CredentialStore().get(portal_key(str(info.id))) == PASSWORD


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics", max_attempts=5)
        yield server


def test_test_sign_in_before_saving(
    run, until, open_add, engine, keyring_service, portal, caplog,
):
    caplog.set_level(logging.DEBUG)
    email, password = f"desk-{secrets.token_hex(4)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk")
    dialog = open_add(_supervisor(engine))
    dialog.test_first.setChecked(True)
    _fill(dialog, site_url=portal.site_url(SITE), username=email, password="not-the-password")
    dialog.save_button.click()  # off the GUI thread: the form shows it is busy meanwhile
    until(lambda: not dialog.progress.isHidden())
    assert not dialog.save_button.isEnabled() and not dialog.site_url.isEnabled()
    assert dialog.status.text() == f"Signing in to {portal.site_url(SITE)}…"
    until(lambda: dialog.error.text() != "", timeout=120)
    assert dialog.error.text().startswith("Sign-in failed, nothing saved: the portal refused")
    assert dialog.save_button.isEnabled() and dialog.progress.isHidden()
    _nothing_saved(engine, keyring_service)

    dialog.password.setText(password)
    info = run(dialog.submit(), timeout=120)
    assert info is not None and CredentialStore().get(portal_key(str(info.id))) == password
    assert dialog.sign_in_summary.startswith(f"Signed in as {email} on ")
    assert dialog.sign_in_summary in dialog.parent().result.text()
    labels = dialog.parent().window().findChildren(QLabel)
    text_seen = caplog.text + "\n".join(label.text() for label in labels)
    assert email in text_seen
    assert not found_in(text_seen.encode(), [password, "not-the-password"])


def test_the_screenshot_script_shows_the_dialog_and_saves_nothing(
    qtbot, run, until, tmp_path, engine, keyring_service, monkeypatch,
):
    """docs/img/desktop/shots_addacct.py over a connected main window (offscreen)."""
    import sys

    from app.events import EventBus
    from tests.ui.test_first_run import close_window
    from ui.main_window import MainWindow

    monkeypatch.setattr(sys, "path", [str(Path(__file__).resolve().parents[2] / "docs" / "img"
                                          / "desktop"), *sys.path])
    import shots_addacct

    settings = load_settings(tmp_path / "config.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    window = MainWindow(settings, backend=_supervisor(engine), bus=EventBus())
    qtbot.addWidget(window)
    window.show()
    shots: list[tuple[str, str]] = []

    def shot(widget: Any, name: str) -> None:
        shots.append((name, widget.error.text()))

    try:
        run(shots_addacct.shoot_add_account(window, shot), timeout=60)
    finally:
        close_window(window, until)
    assert [name for name, _ in shots] == ["add-account", "add-account-error"]
    assert shots[0][1] == "" and "plain http to a real host" in shots[1][1]
    _nothing_saved(engine, keyring_service)
