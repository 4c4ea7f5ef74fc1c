"""The accounts view on the real database (offscreen): its model, the enabled actions, the
result of a check written into the row, a staff Resume refused, and the menu action that opens
it (the real-window test with every state is in test_views_window.py)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from app.domain.account_states import AccountStatus, SessionState
from app.domain.states import Role
from automation.runs.sign_in_check import PortalCheckError
from tests.ui.views_seed import seed_account_states
from ui.accounts_view import AccountsView
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.accounts import SESSION_STATE_LABELS, AccountsModel
from ui.models.columns import RowRole


@pytest.fixture
def executor() -> Iterator[ServiceExecutor]:
    pool = ServiceExecutor(2)
    yield pool
    pool.shutdown(wait=True)


def _view(qtbot: QtBot, backend: ServiceBackend, executor: ServiceExecutor,
          check: Callable[[AccountStatus, Any], str]) -> AccountsView:
    view = AccountsView(backend, executor, TaskGroup(), check)
    qtbot.addWidget(view)
    return view


def test_every_state_has_words_and_the_model_is_sound(
    qtmodeltester: Any, engine: Engine, backend: ServiceBackend,
) -> None:
    seed_account_states(engine)
    model = AccountsModel()
    model.set_statuses(list(backend.account_statuses()))
    qtmodeltester.check(model, force_py=True)
    assert set(SESSION_STATE_LABELS) == set(SessionState)
    shown = {model.index(r, model.STATE_COLUMN).data() for r in range(model.rowCount())}
    assert len(shown) == 7 and "None" not in " ".join(shown)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            text = model.index(row, column).data()
            assert text and "None" not in text and "_" not in text.replace("@", ""), text


def test_a_check_result_lands_in_its_row_and_survives_a_reload(
    qtbot: QtBot, run: Callable[..., Any], engine: Engine, backend: ServiceBackend,
    executor: ServiceExecutor,
) -> None:
    ids = seed_account_states(engine)
    calls: list[int] = []

    def refuse(status: AccountStatus, _ask: object) -> str:  # the real check's error type
        calls.append(status.account_id)
        raise PortalCheckError("the portal refused the sign-in: Invalid password")

    view = _view(qtbot, backend, executor, refuse)
    run(view.reload())
    assert not view.sign_in_button.isEnabled() and not view.resume_button.isEnabled()
    locked = ids[SessionState.LOCKED]
    assert view.select_account(locked)
    assert view.sign_in_button.isEnabled() and not view.resume_button.isEnabled()
    result = run(view.sign_in(view.selected()))
    assert calls == [locked]
    assert result == "Sign-in failed: the portal refused the sign-in: Invalid password"
    row = view.model.row_for(locked)
    assert row is not None
    assert view.model.index(row, 7).data().endswith(result)
    run(view.reload())
    row = view.model.row_for(locked)
    assert row is not None and view.model.index(row, 7).data().endswith(result)
    assert view.selected() is not None and view.selected().account_id == locked


def test_staff_cannot_resume_a_paused_site(
    qtbot: QtBot, run: Callable[..., Any], engine: Engine, executor: ServiceExecutor,
) -> None:
    ids = seed_account_states(engine)
    staff = ServiceBackend(engine, "Dana (desk 3)", role=Role.STAFF.value)
    view = _view(qtbot, staff, executor, lambda s, ask: "unused")
    run(view.reload())
    assert view.select_account(ids[SessionState.PAUSED_BY_BREAKER])
    assert view.resume_button.isEnabled()
    assert not run(view.resume(view.selected().site_url))
    assert view.status.text().startswith("Not resumed: ")
    row = view.model.row_for(ids[SessionState.PAUSED_BY_BREAKER])
    assert view.model.index(row, 2).data() == "Paused by the circuit breaker"


@pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")
def test_view_menu_opens_one_accounts_window(qtbot: QtBot, run: Callable[..., Any],
                                            until: Callable[..., None], tmp_path: Any,
                                            backend: ServiceBackend, account_id: int) -> None:
    from app.config import load_settings
    from app.events import EventBus
    from ui.desk_windows import ACCOUNTS_ACTION
    from ui.main_window import MainWindow

    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    window = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(window)
    window.show()
    try:
        action = window.findChild(QAction, ACCOUNTS_ACTION)
        assert action is not None and action.shortcut().toString() == "Ctrl+Shift+P"
        view_menu = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"][0]
        assert action in view_menu.actions()
        action.trigger()
        until(lambda: window.findChild(AccountsView) is not None
              and window.findChild(AccountsView).model.rowCount() == 1)
        action.trigger()  # already open: raised, not a second one
        assert len(window.findChildren(AccountsView)) == 1
        view = window.findChild(AccountsView)
        assert view.windowFlags() & Qt.WindowType.Window
        assert view.model.index(0, 2).data() == "Never signed in"
        view.close()
    finally:
        window.close()
        until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(),
              timeout=60)
        window.executor.shutdown(wait=True)


class _Mailer:
    """The sandbox portal's outgoing mail (its sign-in codes), recorded."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def __call__(self, recipient: str, message: bytes) -> None:
        self.sent.append((recipient.lower(), message))

    def last_code(self, recipient: str) -> str:
        message = next(m for to, m in reversed(self.sent) if to == recipient.lower())
        found = re.search(rb"verification code is:\s*(\d{6})", message)
        assert found is not None
        return found.group(1).decode()


def test_sign_in_now_asks_inline_for_a_code_the_mailbox_did_not_deliver(
    qtbot: QtBot, until: Callable[..., None], tmp_path: Any, engine: Engine,
    backend: ServiceBackend, executor: ServiceExecutor, keyring_service: str,
) -> None:
    from app.config import load_settings
    from app.credentials import CredentialStore, portal_key
    from app.services.transfers import TransferService
    from automation.sandbox.portal import SandboxPortal
    from ui.accounts_view import keyring_sign_in

    mailer = _Mailer()
    with SandboxPortal(mailer=mailer) as portal:
        portal.add_site("state-u", "State University Athletics", max_attempts=5)
        email, password = f"desk-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
        portal.add_account("state-u", email, password, "Market Desk", mfa="always")
        info = TransferService(engine, "Sam", role=Role.SUPERVISOR).add_account(
            "paciolan", portal.site_url("state-u"), email, "State U")
        CredentialStore().set(portal_key(str(info.id)), password)
        settings = load_settings(tmp_path / "none.toml",
                                 environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
        view = _view(qtbot, backend, executor, keyring_sign_in(settings))
        view.show()
        task = view._tasks.spawn(view.reload())
        until(task.done)
        assert view.select_account(info.id)
        view.sign_in_button.click()
        until(lambda: not view.code_row.isHidden(), timeout=60)
        assert view.code_label.text() == f"Code sent to {email}:"
        assert view.code.hasFocus() or not view.isActiveWindow()
        view.code.setText(mailer.last_code(email))
        view.submit_code()
        until(lambda: info.id not in view._checking, timeout=60)
        row = view.model.row_for(info.id)
        assert row is not None
        cell = view.model.index(row, 7).data()
        assert f"Signed in as {email}" in cell and cell.endswith("verification code typed")
        assert view.code_row.isHidden() and password not in cell
        view.close()


def test_rows_keep_the_account_order_until_a_header_is_clicked(
    qtbot: QtBot, run: Callable[..., Any], engine: Engine, backend: ServiceBackend,
    executor: ServiceExecutor,
) -> None:
    ids = sorted(seed_account_states(engine).values())
    view = _view(qtbot, backend, executor, lambda s, ask: "unused")
    run(view.reload())
    shown = [view.proxy.index(r, 0).data(RowRole).status.account_id
             for r in range(view.proxy.rowCount())]
    assert shown == ids
    view.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # May act: the paused one first
    first = view.proxy.index(0, 0).data(RowRole).status
    assert first.state is SessionState.PAUSED_BY_BREAKER
