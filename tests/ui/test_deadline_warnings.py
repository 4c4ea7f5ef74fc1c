"""The desk sweeps deadlines when no server process does, and shows warnings in the alarms
banner and the tray (real database, offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QTimer
from sqlalchemy import text

from app.config import load_settings
from app.domain.records import NewTransfer
from app.events import EventBus
from app.services.deadlines import DeadlineService, SweepReport
from ui.main_window import MainWindow
from ui.tray import DeskTray


def _window(qtbot, tmp_path, backend):
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    tray = DeskTray(win)
    tray.follow(win.bridge)
    win.show()
    return win, tray


def _flush_queued_signals(qtbot) -> None:
    """Deliver what is already queued to the GUI thread: a marker posted after it arrives."""
    flushed: list[bool] = []
    QTimer.singleShot(0, lambda: flushed.append(True))
    qtbot.waitUntil(lambda: bool(flushed), timeout=5000)


def _status(engine, transfer_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT status FROM transfers WHERE id = :i"),
                            {"i": transfer_id}).scalar_one()


def test_an_unattended_desk_sweeps_and_shows_the_warning(qtbot, run, until, engine, backend,
                                                         tmp_path):
    now = datetime.now(UTC)
    soon = backend.transfers.create(NewTransfer(order_ref="SOON-1", event_name="Finals",
                                                accept_by=now + timedelta(minutes=50)))
    late = backend.transfers.create(NewTransfer(order_ref="LATE-1", event_name="Finals",
                                                accept_by=now - timedelta(seconds=5)))
    win, tray = _window(qtbot, tmp_path, backend)
    try:
        run(win.start())
        until(lambda: "SOON-1" in win.alarms.label.text())
        text_shown = win.alarms.label.text()
        assert "deadline warning" in text_shown and "accept window closes in" in text_shown
        assert win.alarms.isVisible()
        until(lambda: any(title == "Deadline approaching" for title, _ in tray.messages))
        assert [m for t, m in tray.messages if t == "Deadline approaching"] == [
            m for m in (a.message for a in backend.alarms()) if "SOON-1" in m]
        assert _status(engine, late.row.id) == "expired"
        win.refresh_alarms()  # a second poll shows the same alarm, no second tray message
        until(lambda: not win.tasks.running("alarms"))
        _flush_queued_signals(qtbot)  # what that poll published has reached the tray
        assert sum(t == "Deadline approaching" for t, _ in tray.messages) == 1
        assert soon.row.id
    finally:
        win.close()
        win.executor.shutdown(wait=True)


def test_a_desk_leaves_the_sweep_to_a_live_server_process(qtbot, run, until, engine, backend,
                                                          tmp_path):
    DeadlineService(engine, "srv-1:worker").sweep()  # a worker swept moments ago
    late = backend.transfers.create(NewTransfer(
        order_ref="LATE-2", event_name="Finals",
        accept_by=datetime.now(UTC) - timedelta(seconds=5)))
    reports: list[SweepReport] = []  # what the desk's own sweep answered (the real call)
    sweep = backend.sweep_deadlines
    backend.sweep_deadlines = lambda: reports.append(sweep()) or reports[-1]
    win, _tray = _window(qtbot, tmp_path, backend)
    try:
        run(win.start())
        until(lambda: bool(reports) and not win.tasks.running("deadline-sweep"))
        assert reports[0].skipped and reports[0].expired == ()
        assert _status(engine, late.row.id) == "awaiting_notice"  # the worker's next sweep
        last = backend.deadlines.last_sweep()
        assert last is not None and last[1] == "srv-1:worker"
    finally:
        win.close()
        win.executor.shutdown(wait=True)
