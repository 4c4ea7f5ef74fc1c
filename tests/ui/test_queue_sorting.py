"""Clicking any queue header sorts through the database; the Notice column shows the time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from app.repositories.queue import ROW_SORT_VALUES
from app.repositories.queue import SORT_KEYS as QUERY_SORT_KEYS
from app.services.transfers import TransferService
from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.queue_model import (
    COL_ATTEMPTS,
    COL_EVENT_DATE,
    COL_HOLDER,
    COL_NOTICE,
    COL_SELLER,
    COL_STATUS,
    COLUMNS,
    SORT_KEYS,
    RowRole,
)
from ui.queue_view import QueueWidget


def _click_header(widget: QueueWidget, column: int) -> None:
    header = widget.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(x, header.height() // 2))


def _loaded(widget: QueueWidget) -> list[Any]:
    model = widget.model
    return [model.index(i, 0).data(RowRole) for i in range(model.rowCount())]


def test_every_column_is_sortable() -> None:
    assert sorted(SORT_KEYS) == list(range(len(COLUMNS)))


def test_every_column_places_live_rows_with_the_core_sort_key() -> None:
    """Live updates place a row with the core's key for the column's SQL sort: one per column."""
    assert set(SORT_KEYS.values()) <= set(ROW_SORT_VALUES) <= set(QUERY_SORT_KEYS)


def test_clicking_headers_sorts_in_the_database(
    qtbot: QtBot, until: Callable[..., None], engine: Engine, backend: ServiceBackend,
    account_id: int,
) -> None:
    ids = seed_transfers(engine, 12, account_id)
    service = TransferService(engine, "seed")
    noticed = service.mark_notice_received(ids[3], accept_url="https://portal.example/a",
                                           transfer_ref="t3", accept_by=None)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    widget = QueueWidget(backend, executor, tasks)
    qtbot.addWidget(widget)
    widget.show()
    widget.reload()
    until(lambda: widget.model.rowCount() == 12)
    notice_text = widget.model.index(widget.model.row_for_id(ids[3]), COL_NOTICE).data()
    assert noticed.notice_received_at is not None
    assert notice_text == noticed.notice_received_at.astimezone().strftime("%a %d %b %H:%M")

    for column, attr in ((COL_SELLER, "seller_name"), (COL_STATUS, "status"),
                         (COL_ATTEMPTS, "attempts"), (COL_EVENT_DATE, "event_starts_at"),
                         (COL_NOTICE, "notice_received_at"), (COL_HOLDER, "claimed_by")):
        seen: list[bool] = []
        for _ in range(2):  # a second click flips the direction
            previous = (widget.query.sort_key, widget.query.descending)
            _click_header(widget, column)
            until(lambda prev=previous, key=SORT_KEYS[column]:
                  (widget.query.sort_key, widget.query.descending) != prev
                  and widget.query.sort_key == key
                  and not tasks.running("queue-load"))
            until(lambda: widget.model.rowCount() == 12)
            descending = widget.query.descending
            keys = [(getattr(r, attr) is None, getattr(r, attr) or "", r.id)
                    for r in _loaded(widget)]
            assert keys == sorted(keys, reverse=descending), (SORT_KEYS[column], descending)
            seen.append(descending)
        assert sorted(seen) == [False, True]
    executor.shutdown(wait=True)
