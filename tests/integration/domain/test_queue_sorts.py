"""Every queue column's sort: keyset pages in exact order, NULLs last ascending, no gaps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.domain.records import QueueFilter, TransferFull, TransferRow
from app.services.queue import QueueService, row_sort_key
from automation.demo.transfers import insert_demo

N = 300

#: Sort key -> the TransferRow attribute it orders by.
COLUMN_SORTS = {
    "status": "status", "event": "event_name", "event_date": "event_starts_at",
    "seller": "seller_name", "account": "account_id", "attempts": "attempts",
    "section": "section", "notice": "notice_received_at", "holder": "claimed_by",
}


@pytest.fixture
def rows_with_nulls(database_url: str, make_transfer: Callable[..., TransferFull]) -> int:
    """Demo rows plus transfers without event date, account, notice or holder."""
    insert_demo(database_url, N, seed=11)
    for _ in range(3):
        make_transfer(event_starts_at=None, account_id=None)
    return N + 3


def _walk(queue: QueueService, sort: str, descending: bool, limit: int) -> list[TransferRow]:
    rows: list[TransferRow] = []
    cursor = None
    while True:
        page = queue.list_page(QueueFilter(), sort, descending, cursor, limit, with_counts=False)
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _key(row: TransferRow, attr: str) -> tuple[bool, Any, int]:
    value = getattr(row, attr)
    return (value is None, "" if value is None else value, row.id)


@pytest.mark.parametrize("sort", sorted(COLUMN_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sort_pages_in_order_without_gaps(
    rows_with_nulls: int, queue: QueueService, sort: str, descending: bool
) -> None:
    rows = _walk(queue, sort, descending, limit=37)
    assert len(rows) == rows_with_nulls and len({r.id for r in rows}) == rows_with_nulls
    keys = [_key(r, COLUMN_SORTS[sort]) for r in rows]
    assert keys == sorted(keys, reverse=descending)
    # the core's sort key (live updates place rows with it) agrees with the SQL, NULLs included
    assert rows == sorted(rows, key=lambda r: row_sort_key(r, sort), reverse=descending)
    if sort in ("event_date", "account", "notice"):  # the NULL rows exist and sort last/first
        nulls = [k[0] for k in keys]
        assert any(nulls)
        assert nulls == sorted(nulls, reverse=descending)


def test_rows_carry_the_notice_time(
    queue: QueueService, make_transfer: Callable[..., TransferFull]
) -> None:
    waiting, noticed = make_transfer(), make_transfer(notice=True)
    by_id = {r.id: r for r in queue.rows([waiting.row.id, noticed.row.id])}
    assert by_id[waiting.row.id].notice_received_at is None
    received = by_id[noticed.row.id].notice_received_at
    assert received is not None and received == queue.get(noticed.row.id).notice_received_at
