"""The main window end to end on the real database: shortcuts, help, claim, dialogs, and the
rule that no coroutine ever runs a nested event loop (``exec()``)."""

from __future__ import annotations

import ast
import asyncio
import gc
import logging
import select
import socket
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox

from app.config import load_settings
from app.desk.action_rules import Command
from app.errors import KnownError
from app.events import EventBus
from tests.ui.conftest import seed_transfers
from ui.help_overlay import SHORTCUTS
from ui.main_window import MainWindow

UI_DIR = Path(__file__).resolve().parents[2] / "ui"


def test_no_exec_inside_coroutines_in_the_source():
    offenders = []
    for path in sorted(UI_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("exec", "exec_")):
                    offenders.append(f"{path.name}:{node.lineno} in {func.name}")
    assert offenders == []


@pytest.fixture
def nested_exec_calls(monkeypatch):
    """Record every nested event loop started while an asyncio task runs (must stay empty)."""
    calls: list[str] = []

    def guard(name):
        def fake_exec(self, *args, **kwargs):
            try:
                task = asyncio.current_task()
            except RuntimeError:
                task = None
            calls.append(f"{name} in {task.get_name() if task else 'no task'}")
            return 0
        return fake_exec

    for cls in (QDialog, QMessageBox, QMenu, QEventLoop):
        monkeypatch.setattr(cls, "exec", guard(cls.__name__))
    return calls


@pytest.fixture
def window(qtbot, run, until, tmp_path, engine, backend, account_id):
    seed_transfers(engine, 8, account_id)
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    run(win.start())
    until(lambda: win.queue.model.rowCount() == 8)
    # the startup deadline sweep locks transfers briefly: a claim meanwhile is told "try again"
    until(lambda: not win.tasks.running("deadline-sweep"))
    yield win
    win.close()  # the closers run on a thread; the window closes when they are done
    until(lambda: win.shutdown is not None and win.shutdown.finished.is_set(), timeout=60)
    win.executor.shutdown(wait=True)  # let in-flight queries return their connections


def test_keyboard_triage(qtbot, until, window, nested_exec_calls):
    keys = {*window.shortcuts, *(a.shortcut().toString() for a in window.commands.actions.values())}
    for listed, _what in SHORTCUTS:  # every key the help lists is bound
        for key in listed.replace("Menu / ", "").replace("J / Down", "J").replace(
                "K / Up", "K").replace("1 / 2 / 3", "1").split(" / "):
            assert key in keys or key in ("Enter", "Shift+F10"), key
    window.shortcuts["J"].activated.emit()
    assert window.queue.table.currentIndex().row() == 0
    window.shortcuts["J"].activated.emit()
    window.shortcuts["J"].activated.emit()
    window.shortcuts["K"].activated.emit()
    assert window.queue.table.currentIndex().row() == 1
    until(lambda: window.detail.detail is not None
          and window.detail.detail.transfer.row.id == window.queue.current_row().id)
    assert "ORD-0001" in window.detail.title.text()
    assert window.detail.timeline.topLevelItemCount() >= 1  # the "create" audit entry
    window.shortcuts["?"].activated.emit()
    assert window.help.isVisible()
    window.shortcuts["Esc"].activated.emit()
    assert not window.help.isVisible()
    window.shortcuts["/"].activated.emit()
    assert window.queue.search_edit.hasFocus()
    window.shortcuts["2"].activated.emit()
    until(lambda: window.queue.query.statuses == frozenset({"needs_review"}))
    assert nested_exec_calls == []


def test_override_and_errors_open_without_nested_loops(qtbot, until, window, nested_exec_calls):
    window.queue.select_row(0)
    dialog = window.open_override()
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal  # .open(), not exec()
    dialog.reject()
    window.open_settings()
    window.show_error(RuntimeError("boom"))  # a bug: the crash box opens non-modally
    window.show_error(KnownError("database unreachable"))
    assert "database unreachable" in window.statusBar().currentMessage()
    assert nested_exec_calls == []


def test_claim_needs_a_notice(qtbot, until, window, engine):
    from app.services.transfers import TransferService

    window.queue.select_row(0)
    row = window.queue.current_row()
    TransferService(engine, "seed").mark_notice_received(
        row.id, accept_url=None, transfer_ref=None, accept_by=None)
    claim = window.commands.actions[Command.CLAIM]
    until(lambda: not claim.isEnabled() and "no notice yet" in claim.toolTip())
    window.queue.refresh_row(row.id)  # as the change feed would
    until(lambda: claim.isEnabled())
    claim.trigger()
    until(lambda: "Claimed" in window.statusBar().currentMessage())
    release = window.commands.actions[Command.RELEASE]
    until(lambda: release.isEnabled())
    release.trigger()
    until(lambda: "Released" in window.statusBar().currentMessage())


def test_dashboard_and_tray(qtbot, until, window):
    from ui.dashboard import DashboardWindow
    from ui.tray import DeskTray

    window.open_dashboard()
    dashboards = window.findChildren(DashboardWindow)
    assert len(dashboards) == 1
    until(lambda: dashboards[0].metrics is not None)
    assert dashboards[0].share_label.text() == "Nothing verified in this period"
    dashboards[0].close()
    tray = DeskTray(window)
    from app.changefeed import TransferChanged

    tray.on_transfer_changed(TransferChanged(5, "needs_review", 3))
    tray.on_transfer_changed(TransferChanged(6, "verified", 4))  # not worth a notification
    assert tray.messages == [("Needs review", "Transfer 5 needs a human decision")]


def test_closing_while_connecting_cancels_and_awaits_the_connect_task(
    qtbot, qapp, qloop, until, tmp_path, caplog
):
    """A server that accepts but never answers keeps the desk "connecting"; closing then must
    end the connect task (no "Task was destroyed but it is pending" from asyncio later)."""
    caplog.set_level(logging.DEBUG, logger="asyncio")
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # the test's loop must outlive the window
    loop_errors: list[str] = []
    qloop.set_exception_handler(lambda _loop, context: loop_errors.append(context["message"]))
    silent = socket.create_server(("127.0.0.1", 0))
    url = f"postgresql://nobody@127.0.0.1:{silent.getsockname()[1]}/td?connect_timeout=30"
    settings = load_settings(tmp_path / "none.toml", environ={
        "TRANSFERDESK_DATA_DIR": str(tmp_path), "TRANSFERDESK_DATABASE_URL": url})
    win = MainWindow(settings, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    try:
        task = qloop.create_task(win.connect_database())  # as the application starts it
        until(lambda: bool(select.select([silent], [], [], 0)[0]))  # the desk is connecting
        assert not task.done()
        win.close()
        until(task.done, timeout=5)  # long before the 30 s connect timeout
        assert task.result() is None  # returns quietly: the caller is not cancelled
        assert win.connection.task is not None and win.connection.task.cancelled()
        until(lambda: not win.isVisible(), timeout=5)  # then the window really closed
        assert win.backend is None
    finally:
        silent.close()  # the connect thread gets a reset and ends
        win.executor.shutdown(wait=True)
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    del task
    gc.collect()
    assert loop_errors == []
    assert "Task was destroyed" not in caplog.text


def test_closing_never_blocks_the_gui_thread(qtbot, qapp, run, until, tmp_path, engine,
                                             backend):
    """A closer that blocks (as stopping the browser does, up to 60 s) runs on a thread: the
    window hides at once, the GUI loop keeps serving a 10 ms probe while the closer is still
    blocked, and the window closes once the closers are done (the stall itself is measured in
    tests/perf/test_ui_bench.py)."""
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    closed_on: list[str] = []
    release = threading.Event()
    win._closers.append(lambda: (release.wait(30),
                                 closed_on.append(threading.current_thread().name)))
    try:
        run(win.start())
        ticks: list[int] = []
        probe = QTimer(interval=10)
        probe.timeout.connect(lambda: ticks.append(len(ticks)))
        probe.start()
        win.close()
        assert not win.isVisible() and closed_on == []  # hidden at once, the closer still busy
        until(lambda: len(ticks) >= 10)  # the GUI loop runs while the closer blocks its thread
        assert closed_on == [] and win.shutdown is not None
        assert not win.shutdown.finished.is_set()
        release.set()
        until(lambda: win.shutdown is not None and win.shutdown.finished.is_set(), timeout=30)
        assert win.close()  # once the closers are done, closing is accepted
        probe.stop()
        assert closed_on == ["desk-shutdown"]
    finally:
        release.set()
        win.executor.shutdown(wait=True)
        qapp.setQuitOnLastWindowClosed(quit_on_close)


def test_a_disabled_commands_key_says_why(qtbot, until, window):
    window.queue.select_row(0)  # awaiting its notice
    claim = window.commands.actions[Command.CLAIM]
    until(lambda: not claim.isEnabled() and window.commands.explainers[Command.CLAIM].isEnabled())
    assert claim.statusTip() == "Claim: no notice yet"
    window.commands.explainers[Command.CLAIM].activated.emit()  # the C key, as Qt routes it
    assert window.statusBar().currentMessage() == "Claim: no notice yet"
    copy = window.commands.actions[Command.COPY_REF]
    assert copy.isEnabled() and not window.commands.explainers[Command.COPY_REF].isEnabled()
    assert copy.shortcut().toString() == "Ctrl+Shift+C" and "(Ctrl+Shift+C)" in copy.toolTip()
