"""The window's layout: the splitter stays where staff put it, whatever the detail shows; the
first run gets a sensible size; geometry, splitter and columns come back after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings

from app.config import load_settings
from app.domain.records import NewTransfer
from app.events import EventBus
from app.services.transfers import TransferService
from tests.ui.conftest import seed_transfers
from tests.ui.settle import settle_layout
from ui.main_window import MainWindow
from ui.window_layout import GEOMETRY, QUEUE_HEADER, SPLITTER


@pytest.fixture
def fresh_layout():
    """No saved layout before or after the test (the QSettings file is the session's)."""
    store = QSettings()
    for key in (GEOMETRY, SPLITTER, QUEUE_HEADER):
        store.remove(key)
    yield
    for key in (GEOMETRY, SPLITTER, QUEUE_HEADER):
        store.remove(key)


def _open(qtbot, run, until, tmp_path, backend, rows: int) -> MainWindow:
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    run(win.start())
    until(lambda: win.queue.model.rowCount() == rows)
    return win


def _close(win: MainWindow, until) -> None:
    win.close()
    until(lambda: win.shutdown is not None and win.shutdown.finished.is_set(), timeout=60)
    win.executor.shutdown(wait=True)


def test_the_splitter_keeps_its_place_when_the_selection_changes(
    qtbot, run, until, tmp_path, engine, backend, account_id, fresh_layout
):
    seed_transfers(engine, 3, account_id)
    long = "The Remarkably Long Memorial Stadium and Convention Centre of the University " * 2
    TransferService(engine, "seed").create(NewTransfer(
        order_ref="ORD-LONG", event_name="Homecoming " * 12, account_id=account_id,
        seller_name="Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh",
        seller_email="maximiliana.wolfeschlegelsteinhausenbergerdorff@very-long-domain.example",
        venue=long, section="Upper Deck Club Level", row="Row of the Founders", seats=tuple(
            str(n) for n in range(1, 30)),
        accept_by=datetime.now(UTC) + timedelta(days=9)))
    win = _open(qtbot, run, until, tmp_path, backend, 4)
    try:
        win.queue.select_row(0)
        until(lambda: win.detail.detail is not None)
        settle_layout()
        placed = win.splitter.sizes()
        for index in (3, 1, 3, 0):  # ORD-LONG is due last: row 3
            win.queue.select_row(index)
            ref = win.queue.current_row().order_ref
            until(lambda ref=ref: win.detail.detail is not None
                  and win.detail.detail.transfer.row.order_ref == ref)
            settle_layout()  # the new detail's layout requests, before looking
            assert win.splitter.sizes() == placed, (ref, placed)
        win.tabs.setCurrentWidget(win.run_panel)
        settle_layout()
        assert win.splitter.sizes() == placed
    finally:
        _close(win, until)


def test_first_run_size_is_most_of_the_screen(qtbot, run, until, tmp_path, backend,
                                              fresh_layout):
    win = _open(qtbot, run, until, tmp_path, backend, 0)
    try:
        screen = win.screen().availableGeometry()
        size = win.size()
        least = win.minimumSizeHint().expandedTo(win.minimumSize())
        assert size.width() <= max(screen.width(), least.width())  # tiny screen: the minimum
        assert size.height() <= screen.height()
        assert size.width() >= min(int(screen.width() * 0.8), 1600) - 1
        assert size.width() >= least.width() and size.height() >= least.height()
        left, right = win.splitter.sizes()
        assert left >= right > 0  # the queue gets the larger share (55 % where it fits)
    finally:
        _close(win, until)
