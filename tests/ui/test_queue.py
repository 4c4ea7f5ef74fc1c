"""The queue model and view over the real queue service (PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from sqlalchemy import text as sql

from app.desk.api import DEFAULT_VIEW
from app.desk.service_backend import ServiceBackend
from app.domain.states import Status
from app.events import EventBus
from tests.ui.conftest import seed_transfers
from ui.bridge import EventBridge
from ui.db_executor import CallCancelledError, CancelScope, ServiceExecutor, TaskGroup
from ui.due_display import DueLevel, due_level
from ui.queue_model import (
    COL_DUE,
    COL_ORDER,
    COL_STATUS,
    DueLevelRole,
    IdRole,
    RowRole,
    TransferTableModel,
)
from ui.queue_view import PAGE_SIZE, QueueWidget


def test_model_passes_qtmodeltester_with_real_rows(qtmodeltester, engine, backend, account_id):
    seed_transfers(engine, 12, account_id, overdue_first=True)
    page = backend.queue_page(DEFAULT_VIEW, None, 5)
    model = TransferTableModel()
    model.set_rows(page.rows, page.next_cursor is not None)
    qtmodeltester.check(model, force_py=True)
    more = backend.queue_page(DEFAULT_VIEW, page.next_cursor, 50)
    model.append_rows(more.rows, False)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 12
    first = model.index(0, COL_ORDER)
    assert first.data(RowRole).id == first.data(IdRole)
    assert model.index(0, COL_STATUS).data() == "awaiting notice"
    # sorted by due ascending: the earliest accept window comes first and is overdue
    assert first.data() == "ORD-0000"
    assert model.index(0, COL_DUE).data(DueLevelRole) == DueLevel.OVERDUE
    assert model.index(0, COL_DUE).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_due_levels():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert due_level(None, now) is DueLevel.NONE
    assert due_level(now - timedelta(minutes=1), now) is DueLevel.OVERDUE
    assert due_level(now + timedelta(hours=5), now) is DueLevel.WITHIN_6H
    assert due_level(now + timedelta(hours=23), now) is DueLevel.WITHIN_24H
    assert due_level(now + timedelta(days=2), now) is DueLevel.LATER


def test_live_upsert_keeps_selection(qtmodeltester, engine, backend, account_id):
    ids = seed_transfers(engine, 6, account_id)
    page = backend.queue_page(DEFAULT_VIEW, None, 100)
    model = TransferTableModel()
    model.set_rows(page.rows, False)
    model.matches = lambda row: DEFAULT_VIEW.matches(row, datetime.now(UTC))
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append(top.row()))
    row = backend.queue_rows([ids[2]])[0]
    assert model.index(2, COL_ORDER).data() == row.order_ref  # formatted once, then cached
    model.upsert_rows([replace(row, order_ref="RENAMED")])
    assert changed == [2]
    assert model.index(2, COL_ORDER).data() == "RENAMED"  # the cached text was dropped
    # a verified row no longer matches the open view: it disappears
    model.upsert_rows([replace(row, status=Status.VERIFIED)])
    assert model.row_for_id(ids[2]) is None and model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)


def test_bridge_delivers_on_gui_thread(qtbot, qapp):
    bus = EventBus()
    bridge = EventBridge(bus)
    seen: list[tuple[str, bool]] = []
    from app.changefeed import TransferChanged

    on_main = threading.current_thread
    bridge.transfer_changed.connect(
        lambda e: seen.append((type(e).__name__, on_main() is threading.main_thread())))
    worker = threading.Thread(target=bus.publish, args=(TransferChanged(7, "verified", 2),))
    with qtbot.waitSignal(bridge.transfer_changed, timeout=5000):
        worker.start()
    worker.join()
    assert seen == [("TransferChanged", True)]
    bridge.close()
    bus.publish(TransferChanged(7, "verified", 3))
    flushed: list[bool] = []  # posted after anything the publish queued, so delivered after it
    QTimer.singleShot(0, lambda: flushed.append(True))
    qtbot.waitUntil(lambda: bool(flushed), timeout=5000)
    assert len(seen) == 1


def _widget(qtbot, backend):
    executor, tasks = ServiceExecutor(2), TaskGroup()
    widget = QueueWidget(backend, executor, tasks)
    qtbot.addWidget(widget)
    return widget, executor


def test_filters_search_and_paging(qtbot, run, until, engine, backend, account_id):
    seed_transfers(engine, 450, account_id, overdue_first=True)
    seed_transfers(engine, 3, None, prefix="OTHER", overdue_first=True)
    widget, executor = _widget(qtbot, backend)
    run(widget.load_accounts())
    widget.reload()
    until(lambda: widget.model.rowCount() == PAGE_SIZE)
    # rows first, counts right after (a separate, slower query)
    until(lambda: widget.count_label.text() == "453 transfers")
    assert widget.status_counts["awaiting_notice"] == 453
    assert widget.model.canFetchMore(widget.model.index(-1, -1))
    widget.model.fetchMore(widget.model.index(-1, -1))
    until(lambda: widget.model.rowCount() == 2 * PAGE_SIZE)
    # account filter
    widget.account_box.setCurrentIndex(widget.account_box.findData(account_id))
    widget._filters_changed()
    until(lambda: widget.count_label.text() == "450 transfers")
    widget.account_box.setCurrentIndex(0)
    widget._filters_changed()
    # debounced search: several keystrokes, one query
    for text in ("O", "OT", "OTHER-0001"):
        widget.search_edit.setText(text)
        widget.search_edit.textEdited.emit(text)
    until(lambda: widget.model.rowCount() == 1 and widget.query.text == "OTHER-0001")
    assert widget.model.index(0, COL_ORDER).data() == "OTHER-0001"
    # due filter: overdue only (accept_by = now - 2 h for the first of each batch)
    widget.search_edit.clear()
    widget.search_edit.textEdited.emit("")
    widget.due_box.setCurrentText("Overdue")
    widget._filters_changed()
    until(lambda: widget.count_label.text() == "2 transfers")
    # server-side sort by order ref, descending
    widget.due_box.setCurrentText("Any due")
    widget._filters_changed()
    widget.table.sortByColumn(COL_ORDER, Qt.SortOrder.DescendingOrder)
    until(lambda: widget.query.sort_key == "order_ref" and widget.model.rowCount() == PAGE_SIZE
          and widget.model.index(0, COL_ORDER).data() == "OTHER-0002")
    executor.shutdown(wait=True)


def test_show_transfer_selects_it_loaded_or_not(qtbot, run, until, engine, backend, account_id):
    """A batch summary's link: a loaded row is selected at once; one outside the view is found
    by its order ref under any status and selected when its page arrives."""
    seed_transfers(engine, 150, account_id)
    widget, executor = _widget(qtbot, backend)
    widget.reload()
    until(lambda: widget.model.rowCount() == PAGE_SIZE)
    loaded = widget.model.row_object(7)
    widget.show_transfer(loaded.id)
    assert widget.current_row() == loaded
    with engine.begin() as conn:  # the last one becomes verified: out of the open view
        far = conn.execute(sql("UPDATE transfers SET status = 'verified' WHERE id ="
                                " (SELECT max(id) FROM transfers) RETURNING id, order_ref")).one()
    until(lambda: widget.model.row_for_id(far.id) is None)
    widget.show_transfer(far.id)
    until(lambda: (row := widget.current_row()) is not None and row.id == far.id)
    assert widget.search_edit.text() == far.order_ref and widget.query.statuses == frozenset()
    executor.shutdown(wait=True)


def test_saved_views(qtbot, run, until, engine, backend, account_id):
    seed_transfers(engine, 3, account_id)
    widget, executor = _widget(qtbot, backend)
    widget.view_box.setCurrentText("Needs review")
    until(lambda: widget.query.statuses == frozenset({"needs_review"})
          and widget.count_label.text() == "0 transfers")
    widget.view_box.setCurrentText("Due soon")
    until(lambda: widget.query.due_within == timedelta(hours=24)
          and widget.count_label.text() == "3 transfers")
    executor.shutdown(wait=True)


def test_live_update_through_the_change_feed(qtbot, run, until, engine, database_url, backend,
                                             account_id):
    from app.changefeed import ChangeFeed
    from app.services.transfers import TransferService

    ids = seed_transfers(engine, 30, account_id)
    bus = EventBus()
    bridge = EventBridge(bus)
    widget, executor = _widget(qtbot, backend)
    bridge.transfer_changed.connect(widget.on_transfer_changed)
    feed = ChangeFeed(database_url, bus, resync_interval=3600)
    feed.start()
    try:
        assert feed.wait_connected(10)
        widget.reload()
        until(lambda: widget.model.rowCount() == 30)
        widget.select_row(4)
        selected_id = widget.current_row().id
        target = ids[10]
        position = widget.model.row_for_id(target)
        TransferService(engine, "other desk").mark_notice_received(
            target, accept_url="http://127.0.0.1:9/accept/x", transfer_ref="x", accept_by=None)
        # pushed, not polled (the resync is an hour away); its latency is a benchmark figure
        until(lambda: widget.model.row_object(widget.model.row_for_id(target)).status
              == "notice_received", timeout=30)
        # updated in place (same due order) and the selection did not move
        assert widget.model.row_for_id(target) == position
        assert widget.current_row().id == selected_id
        # a new transfer shows up in sort position without a reload
        seed_transfers(engine, 1, account_id, prefix="NEW")
        until(lambda: widget.model.rowCount() == 31, timeout=5)
        assert widget.current_row().id == selected_id
    finally:
        feed.stop()
        bridge.close()
        executor.shutdown(wait=True)


class _PageWaitsForCount(ServiceBackend):
    """The real backend, whose first page is held until the count query has started: the desk
    must start both together (the rows never wait for the counts, the counts not for the rows)."""

    def __init__(self, engine) -> None:
        super().__init__(engine, actor_name="Test Desk")
        self.count_started = threading.Event()
        self.page_waited_for = False

    def queue_counts(self, query):
        self.count_started.set()
        return super().queue_counts(query)

    def queue_page(self, query, cursor, limit):
        self.page_waited_for = self.count_started.wait(5)
        return super().queue_page(query, cursor, limit)


def test_counts_start_with_the_page_and_survive_it(qtbot, until, engine, account_id):
    seed_transfers(engine, 30, account_id)
    backend = _PageWaitsForCount(engine)
    widget, executor = _widget(qtbot, backend)
    widget.search_edit.setText("ORD-001")  # ORD-0010 .. ORD-0019
    widget._apply_search()
    until(lambda: widget.model.rowCount() == 10 and widget.counts_loaded)
    assert backend.page_waited_for  # the count was running before the page came back
    assert widget.count_label.text() == "10 transfers"  # a count that landed first stays
    executor.shutdown(wait=True)


class _CountsCappedAt(ServiceBackend):
    """The real backend and query, counting a short term up to ``cap`` (the desk's: 1,000)."""

    def __init__(self, engine, cap: int) -> None:
        super().__init__(engine, actor_name="Test Desk")
        self.cap = cap

    def queue_counts(self, query):
        return self.queue.counts(query, cap=self.cap)


def test_a_capped_count_reads_as_at_least_so_many(qtbot, until, engine, account_id):
    seed_transfers(engine, 60, account_id)  # ORD-0000 .. ORD-0059, all awaiting notice
    widget, executor = _widget(qtbot, _CountsCappedAt(engine, 25))
    awaiting = widget.status_box.findData(Status.AWAITING_NOTICE)
    widget.search_edit.setText("O")  # one letter, no trigram: every row matches
    widget._apply_search()
    until(lambda: widget.counts_loaded)
    assert widget.count_label.text() == "25+ transfers"
    assert "awaiting notice 25+" in widget.count_label.toolTip()
    assert "counting stops at 1,000 matching rows" in widget.count_label.toolTip()
    assert widget.status_box.itemData(awaiting, Qt.ItemDataRole.ToolTipRole) == "25+ matching"
    assert widget.status_counts[Status.AWAITING_NOTICE] == 25
    widget.search_edit.setText("ORD-001")  # a trigram: exact, whatever the cap
    widget._apply_search()
    until(lambda: widget.counts_loaded)
    assert widget.count_label.text() == "10 transfers"
    assert "awaiting notice 10," in widget.count_label.toolTip()
    assert "counting stops" not in widget.count_label.toolTip()
    assert widget.status_box.itemData(awaiting, Qt.ItemDataRole.ToolTipRole) == "10 matching"
    executor.shutdown(wait=True)


class _ViewportPaints(QObject):
    """Counts the paints of a table's viewport."""

    def __init__(self, table) -> None:
        super().__init__()
        self.count = 0
        table.viewport().installEventFilter(self)

    def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_search_that_changes_the_row_count_paints_the_table_once(
    qtbot, run, until, engine, backend, account_id
):
    """The layout runs with the new rows: the view's delayed layout used to change the scroll
    range after the first paint and repaint the whole table a second time."""
    seed_transfers(engine, 150, account_id)
    widget, executor = _widget(qtbot, backend)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload()
    until(lambda: widget.model.rowCount() == PAGE_SIZE and widget.counts_loaded)
    paints = _ViewportPaints(widget.table)
    for text, rows in (("ORD-001", 10), ("", PAGE_SIZE)):  # 100 rows -> 10 -> 100
        paints.count = 0
        widget.search_edit.setText(text)
        widget._apply_search()
        until(lambda r=rows: widget.model.rowCount() == r and widget.counts_loaded)
        run(asyncio.sleep(0.3))  # anything the view had left to do
        assert paints.count == 1, text
    executor.shutdown(wait=True)


def _sleeping_queries(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                           " AND query LIKE 'SELECT pg_sleep(%'").fetchone()
    assert row is not None
    return int(row[0])


def test_a_superseded_query_is_cancelled_in_postgres(run, engine, database_url):
    """Cancelling the task also stops its SQL statement, so it stops holding a core."""
    executor, tasks = ServiceExecutor(2), TaskGroup()
    statements: list[str] = []

    def slow_search() -> None:
        with engine.connect() as conn:
            statements.append("first")
            conn.exec_driver_sql("SELECT pg_sleep(60)")
            statements.append("second")  # never reached: the statement is cancelled
            conn.exec_driver_sql("SELECT 1")

    async def supersede() -> None:
        task = tasks.spawn(executor.call_cancellable(slow_search), name="queue-count")
        while _sleeping_queries(database_url) == 0:
            await asyncio.sleep(0.02)
        tasks.cancel("queue-count")
        with pytest.raises(asyncio.CancelledError):
            await task
        while _sleeping_queries(database_url):  # gone long before pg_sleep's 60 s
            await asyncio.sleep(0.02)

    run(supersede(), timeout=30)
    executor.shutdown(wait=True)  # the worker thread got its error back and is free
    assert statements == ["first"]
    assert not tasks.running("queue-count")
    with engine.connect() as conn:  # the pooled connection is still usable afterwards
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_cancelled_scope_refuses_the_next_statement(engine):
    scope = CancelScope()
    scope.cancel()  # nothing running: only marks the scope
    with pytest.raises(CallCancelledError):
        scope.statement_started(object())
