"""Edit… and Remove… of a portal account (Settings > Portal accounts and the accounts view) on
real services: PostgreSQL, the Secret Service keyring, saved-session files and, for the test
sign-in, Chromium on the sandbox portal. Nothing is half-saved; no secret reaches a label, a
log line or a table."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from PySide6.QtWidgets import QLabel, QMessageBox
from sqlalchemy import Engine, text

from app.browser_sessions import session_file, session_key
from app.config import load_settings
from app.credentials import CredentialStore, KeyringUnavailableError, portal_key
from app.desk.service_backend import ServiceBackend
from app.domain.account_states import AutomationMode
from app.domain.records import PortalAccountInfo
from app.domain.states import Role
from app.services.account_setup import add_account_with_password
from app.services.queue import QueueService
from automation.browser.storage import StorageStateStore
from automation.sandbox.portal import SandboxPortal
from tests.secret_scan import found_in
from ui.accounts_view import AccountsView
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings.edit_account_dialog import EditAccountDialog
from ui.settings_dialog import SettingsDialog

PASSWORD, NEW_PASSWORD = "Old-pw-3dit-Account-1", "New-pw-3dit-Account-2"
SITE = "state-u"


@pytest.fixture
def tasks(run: Callable[..., Any]) -> Iterator[TaskGroup]:
    """The views' coroutines; none is left pending after the test (cancelled, then awaited).

    Left pending (a reload after Remove or Show retired), they were destroyed at the session's
    end, and the interpreter then failed pytest's last import with "SystemError: AST
    constructor recursion depth mismatch" in about half the runs of this file.
    """
    group = TaskGroup()
    yield group
    group.cancel_all()
    run(asyncio.sleep(0.1))
    gc.collect()


@pytest.fixture
def executor(engine: Engine) -> Iterator[ServiceExecutor]:
    """Drained before the engine is disposed (a call still running holds a connection)."""
    pool = ServiceExecutor(2)
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
def sessions(tmp_path: Path) -> StorageStateStore:
    return StorageStateStore(tmp_path / "browser", Fernet.generate_key())


@pytest.fixture
def desk(engine: Engine, sessions: StorageStateStore) -> Callable[..., ServiceBackend]:
    def make(role: Role = Role.SUPERVISOR) -> ServiceBackend:
        backend = ServiceBackend(engine, "Sam (supervisor)", role=role.value)
        backend.sessions_dir = sessions.directory
        return backend
    return make


@pytest.fixture
def account(engine: Engine, keyring_service: str,
            sessions: StorageStateStore) -> Callable[..., PortalAccountInfo]:
    """An account with its password in the keyring and a saved browser session."""
    from app.services.transfers import TransferService

    def add(site_url: str = "https://tickets.state-u.example.edu",
            username: str = "box@market.example", password: str = PASSWORD
            ) -> PortalAccountInfo:
        info = add_account_with_password(TransferService(engine, "seed"), "paciolan", site_url,
                                         username, "State U", password)
        sessions.save(session_key(info.site_url, info.username), {"cookies": []})
        return info
    return add


@pytest.fixture
def open_edit(qtbot, tmp_path: Path, until, executor, tasks) -> Callable[..., EditAccountDialog]:
    """``open_edit(backend)``: Settings at the Portal accounts tab, then its Edit… dialog."""
    kept: list[SettingsDialog] = []  # the test holds only the edit dialog

    def build(backend: ServiceBackend) -> EditAccountDialog:
        settings = load_settings(tmp_path / "none.toml",
                                 environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "d")})
        dialog = SettingsDialog(settings, backend, executor, tasks)
        qtbot.addWidget(dialog)
        kept.append(dialog)
        dialog.show_tab("portal")
        dialog.open()
        tab = dialog.portal
        until(lambda: tab.account.count() > 0)
        tab.mail_code_timeout = 1.0
        tab.edit_button.click()
        edit = tab.edit_dialog
        assert edit is not None and edit.isVisible()
        return edit
    return build


def _every_table(engine: Engine) -> str:
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        return "\n".join(conn.execute(text(
            f'SELECT coalesce(json_agg(t)::text, \'\') FROM "{name}" t')).scalar_one()
            for name in tables)


def _row(engine: Engine, account_id: int) -> PortalAccountInfo | None:
    return next((a for a in QueueService(engine).accounts() if a.id == account_id), None)


def test_edit_saves_row_and_password_and_drops_the_old_session(
    run, open_edit, desk, account, engine, sessions, caplog,
):
    caplog.set_level(logging.DEBUG)
    info = account()
    dialog = open_edit(desk())
    assert (dialog.label.text(), dialog.username.text(), dialog.site_url.text()) == (
        "State U", "box@market.example", "https://tickets.state-u.example.edu")
    assert dialog.password.text() == "" and dialog.mode.currentText() == "automatic"
    dialog.label.setText("State U tickets")
    dialog.username.setText("tickets@market.example")
    dialog.password.setText(NEW_PASSWORD)
    dialog.mode.setCurrentText("assisted")

    edited = run(dialog.submit())

    assert edited is not None and not dialog.isVisible() and dialog.password.text() == ""
    assert edited.changed == ("name", "username", "automation mode", "password")
    row = _row(engine, info.id)
    assert row is not None and (row.label, row.username) == ("State U tickets",
                                                            "tickets@market.example")
    assert CredentialStore().get(portal_key(str(info.id))) == NEW_PASSWORD
    assert not session_file(sessions.directory, session_key(info.site_url, info.username)).exists()
    tab = dialog.parent()
    assert tab.result.text().startswith(f"Portal account #{info.id} tickets@market.example: "
                                        "name, username, automation mode, password changed")
    assert tab.account.currentText() == "State U tickets — https://tickets.state-u.example.edu"
    labels = "\n".join(label.text() for label in tab.window().findChildren(QLabel))
    assert "tickets@market.example" in labels
    assert not found_in((caplog.text + labels + _every_table(engine)).encode(),
                        [NEW_PASSWORD, PASSWORD])


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("site_url", "http://tickets.state-u.example.edu", "uses plain http to a real host"),
    ("site_url", "https://box:pw@tickets.example.edu", "must not carry a user name"),
    ("username", " ", "needs a username"),
])
def test_bad_input_says_why_in_one_line_and_changes_nothing(
    run, open_edit, desk, account, engine, field, value, expected,
):
    info = account()
    dialog = open_edit(desk())
    getattr(dialog, field).setText(value)
    dialog.password.setText(NEW_PASSWORD)
    assert run(dialog.submit()) is None
    assert expected in dialog.error.text() and "\n" not in dialog.error.text()
    assert dialog.isVisible() and dialog.focusWidget() in (None, getattr(dialog, field))
    assert _row(engine, info.id) == info
    assert CredentialStore().get(portal_key(str(info.id))) == PASSWORD


def test_a_refusing_keyring_or_a_staff_desk_saves_nothing(
    run, open_edit, desk, account, engine, sessions, monkeypatch,
):
    info = account()
    dialog = open_edit(desk())
    dialog.username.setText("new@market.example")
    dialog.password.setText(NEW_PASSWORD)

    def locked(_store: Any, key: str, _secret: str) -> None:
        raise KeyringUnavailableError(f"the OS keyring is locked; nothing was saved ({key})")

    with monkeypatch.context() as patch:
        patch.setattr(CredentialStore, "set", locked)
        assert run(dialog.submit()) is None
    assert dialog.error.text().startswith("Not saved: ") and "locked" in dialog.error.text()
    assert "Passwords cannot be saved" in dialog.parent().window().keyring_label.text()
    assert dialog.password.text() == NEW_PASSWORD, "kept for a retry"
    assert _row(engine, info.id) == info
    assert CredentialStore().get(portal_key(str(info.id))) == PASSWORD
    assert session_file(sessions.directory, session_key(info.site_url, info.username)).exists()

    staff = open_edit(desk(Role.STAFF))
    staff.label.setText("Renamed by staff")
    assert run(staff.submit()) is None
    assert staff.error.text().startswith("Not saved: ") and "supervisor" in staff.error.text()
    assert _row(engine, info.id) == info


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics", max_attempts=5)
        yield server


def test_test_sign_in_before_saving_uses_the_typed_details(
    run, until, open_edit, desk, account, engine, portal,
):
    email, password = f"desk-{secrets.token_hex(4)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk")
    info = account(site_url=portal.site_url(SITE), username="old@market.test")
    dialog = open_edit(desk())
    assert dialog.test_first.isVisibleTo(dialog)
    dialog.test_first.setChecked(True)
    dialog.username.setText(email)  # the stored password is the old one: the portal refuses
    dialog.save_button.click()
    until(lambda: not dialog.progress.isHidden())
    assert not dialog.save_button.isEnabled()
    until(lambda: dialog.error.text() != "", timeout=120)
    assert dialog.error.text().startswith("Sign-in failed, nothing saved: the portal refused")
    assert _row(engine, info.id) == info

    dialog.password.setText(password)
    edited = run(dialog.submit(), timeout=120)
    assert edited is not None and edited.changed == ("username", "password")
    assert dialog.sign_in_summary.startswith(f"Signed in as {email} on ")
    assert CredentialStore().get(portal_key(str(info.id))) == password


def test_remove_from_the_accounts_view_confirms_then_retires_or_refuses(
    qtbot, run, until, desk, account, engine, executor, sessions, tasks,
):
    from tests.ui.conftest import seed_transfers

    busy, idle = account(), account(username="idle@market.example")
    seed_transfers(engine, 1, account_id=busy.id)
    view = AccountsView(desk(), executor, tasks, lambda s, ask: "unused")
    qtbot.addWidget(view)
    run(view.reload())
    assert view.select_account(busy.id)
    assert view.edit_button.isEnabled() and view.remove_button.isEnabled()
    box = view.remove_selected()
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith(f"Remove portal account #{busy.id} State U "
                                 "(box@market.example) on https://tickets.state-u")
    assert "it is retired" in box.text() and f"portal:{busy.id}" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    [remove] = [b for b in box.buttons() if b.text() == "Remove"]
    remove.click()
    until(lambda: view.status.text() != "")
    assert view.status.text() == (f"Not removed: portal account {busy.id} still has 1 open "
                                  "transfer(s) (1 awaiting notice): finish them or move them "
                                  "to another account first")
    assert CredentialStore().get(portal_key(str(busy.id))) == PASSWORD

    assert view.select_account(idle.id)
    view.remove_selected().button(QMessageBox.StandardButton.Cancel).click()
    assert _row(engine, idle.id) is not None, "Cancel removes nothing"
    assert run(view.remove(idle.id))
    assert view.status.text().startswith(f"Portal account #{idle.id} idle@market.example "
                                         "deleted; its password was deleted from the keyring")
    assert view.model.row_for(idle.id) is None and _row(engine, idle.id) is None
    assert CredentialStore().get(portal_key(str(idle.id))) is None


def test_retired_accounts_show_only_when_asked_and_cannot_be_edited(
    qtbot, run, until, desk, account, engine, executor, tasks,
):
    info = account()
    seed_transfers_closed(engine, info.id)
    backend = desk()
    backend.remove_account(info.id)
    view = AccountsView(backend, executor, tasks, lambda s, ask: "unused")
    qtbot.addWidget(view)
    run(view.reload())
    assert view.model.row_for(info.id) is None
    view.show_retired.setChecked(True)
    until(lambda: view.model.row_for(info.id) is not None)
    assert view.select_account(info.id)
    assert not view.edit_button.isEnabled() and not view.remove_button.isEnabled()
    assert view.edit_selected() is None and view.remove_selected() is None
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM transfers WHERE account_id = :a"),
                           {"a": info.id}) == 1


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing",
                           "does not support propagateSizeHints")
def test_the_accounts_view_opens_edit_from_its_context_menu(
    qtbot, run, desk, account, executor, engine, tasks,
):
    info = account()
    view = AccountsView(desk(), executor, tasks, lambda s, ask: "unused")
    qtbot.addWidget(view)
    view.show()
    run(view.reload())
    row = view.proxy.mapFromSource(view.model.index(view.model.row_for(info.id), 0))
    view._context_menu(view.table.visualRect(row).center())
    menu = view.context_menu
    assert menu is not None
    actions = {a.text(): a for a in menu.actions()}
    assert list(actions) == ["Sign in now", "Resume site", "Edit…", "Remove…"]
    assert actions["Edit…"].isEnabled() and not actions["Resume site"].isEnabled()
    actions["Edit…"].trigger()
    dialog = view.edit_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.mode.currentText() == AutomationMode.AUTOMATIC.value
    assert not dialog.test_first.isVisibleTo(dialog), "no settings: no test sign-in"
    dialog.label.setText("Renamed")
    assert run(dialog.submit()) is not None
    assert view.status.text().startswith(f"Portal account #{info.id} box@market.example: name "
                                         "changed")
    menu.close()


def seed_transfers_closed(engine: Engine, account_id: int) -> None:
    """One transfer on the account, expired: history only."""
    from datetime import UTC, datetime, timedelta

    from app.services.transfers import TransferService
    from tests.ui.conftest import seed_transfers

    seed_transfers(engine, 1, account_id=account_id)
    TransferService(engine, "seed").expire_overdue(now=datetime.now(UTC) + timedelta(days=400))


@pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")
def test_the_screenshot_script_shows_edit_and_remove_and_saves_nothing(
    qtbot, run, until, tmp_path, engine, desk, account, monkeypatch,
):
    """docs/img/desktop/shots_editacct.py over a connected main window (offscreen)."""
    import sys

    from app.events import EventBus
    from tests.ui.test_first_run import close_window
    from ui.main_window import MainWindow

    monkeypatch.setattr(sys, "path", [str(Path(__file__).resolve().parents[2] / "docs" / "img"
                                          / "desktop"), *sys.path])
    import shots_editacct

    info = account()
    settings = load_settings(tmp_path / "config.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    window = MainWindow(settings, backend=desk(), bus=EventBus())
    qtbot.addWidget(window)
    window.show()
    shots: list[tuple[str, str]] = []

    def shot(widget: Any, name: str) -> None:
        words = widget.text() if isinstance(widget, QMessageBox) else widget.error.text()
        shots.append((name, words))

    try:
        run(shots_editacct.shoot_edit_account(window, shot), timeout=60)
    finally:
        close_window(window, until)
    assert [name for name, _ in shots] == ["edit-account", "edit-account-error",
                                           "remove-account"]
    assert shots[0][1] == "" and "plain http to a real host" in shots[1][1]
    assert shots[2][1].startswith(f"Remove portal account #{info.id}")
    assert _row(engine, info.id) == info
    assert CredentialStore().get(portal_key(str(info.id))) == PASSWORD


def test_settings_remove_confirms_then_drops_the_account_from_the_list(
    qtbot, run, until, tmp_path, desk, account, engine, executor, tasks,
):
    info, other = account(), account(username="other@market.example")
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "d")})
    dialog = SettingsDialog(settings, desk(), executor, tasks)
    qtbot.addWidget(dialog)
    dialog.show_tab("portal")
    dialog.open()
    tab = dialog.portal
    until(lambda: tab.account.count() == 2)
    tab.account.setCurrentIndex(0)
    tab.remove_button.click()
    box = tab.confirmation
    assert box is not None and box.isVisible()
    assert box.text().startswith(f"Remove portal account #{info.id} State U")
    [remove] = [b for b in box.buttons() if b.text() == "Remove"]
    remove.click()
    until(lambda: tab.account.count() == 1)
    assert tab.current_account() == other
    assert tab.result.text().startswith(f"Portal account #{info.id} box@market.example deleted")
    assert _row(engine, info.id) is None


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing",
                           "does not support propagateSizeHints")
def test_the_queue_shows_a_rename_and_a_removal_without_a_restart(
    qtbot, run, until, desk, account, tmp_path, engine,
):
    from app.events import EventBus
    from ui.desk_windows import open_accounts
    from ui.main_window import MainWindow

    info, gone = account(), account(username="gone@market.example")
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "w")})
    window = MainWindow(settings, backend=desk(), bus=EventBus())
    qtbot.addWidget(window)
    window.show()
    try:
        run(window.start())
        names = window.queue.model
        until(lambda: names.account_names.get(info.id) == "State U" and gone.id in
              names.account_names)
        view = open_accounts(window, settings)
        assert view is not None
        until(lambda: view.model.row_for(info.id) is not None)
        assert view.select_account(info.id)
        dialog = view.edit_selected()
        assert dialog is not None
        dialog.label.setText("State U box office")
        assert run(dialog.submit()) is not None
        until(lambda: names.account_names.get(info.id) == "State U box office")
        assert window.queue.account_box.findText("State U box office") >= 0
        assert run(view.remove(gone.id))
        until(lambda: gone.id not in names.account_names)
        view.close()
    finally:
        window.close()
        until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(),
              timeout=60)
        window.executor.shutdown(wait=True)
