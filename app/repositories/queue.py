"""The queue query: filters, sorts and keyset windows over transfers, plus counts (exact, or
capped for a term too short for the trigram index: :func:`queue_counts`)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db.models import Transfer
from app.domain.errors import DomainError, UnknownValueError
from app.domain.queue_counts import COUNT_CAP, QueueCounts
from app.domain.records import QueueFilter, TransferRow
from app.domain.states import Status
from app.repositories.mapping import TRANSFER_ROW_COLUMNS, transfer_row

#: Sort key -> column. Nullable columns sort NULLs last ascending (first descending) through a
#: ``(col IS NULL, coalesce(col, zero), id)`` keyset, so cursors stay exact across NULLs.
SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "due": Transfer.due_at,
    "created": Transfer.created_at,
    "updated": Transfer.updated_at,
    "order_ref": Transfer.order_ref,
    "status": Transfer.status,
    "event": Transfer.event_name,
    "event_date": Transfer.event_starts_at,
    "seller": Transfer.seller_name,
    "account": Transfer.account_id,
    "attempts": Transfer.attempts,
    "section": Transfer.section,
    "notice": Transfer.notice_received_at,
    "holder": Transfer.claimed_by,
}
#: The stand-in for NULL in the coalesced sort value (never compared: the NULL flag decides),
#: spelled as the sort indexes of migration 0004 spell it: a bound parameter would not match an
#: index expression in a generic (prepared) plan. The only spelling of the stand-ins.
_NULL_STANDIN_SQL: dict[str, str] = {
    "event_date": "'1970-01-01 00:00:00+00'::timestamptz",
    "notice": "'1970-01-01 00:00:00+00'::timestamptz",
    "account": "0",
    "holder": "''::text",
}
#: Sort key -> a queue row's value for it (live updates place a row with :func:`row_sort_key`).
ROW_SORT_VALUES: dict[str, Callable[[TransferRow], object]] = {
    "due": lambda r: r.due_at,
    "updated": lambda r: r.updated_at,
    "order_ref": lambda r: r.order_ref,
    "status": lambda r: r.status.value,
    "event": lambda r: r.event_name,
    "event_date": lambda r: r.event_starts_at,
    "seller": lambda r: r.seller_name,
    "account": lambda r: r.account_id,
    "attempts": lambda r: r.attempts,
    "section": lambda r: r.section,
    "notice": lambda r: r.notice_received_at,
    "holder": lambda r: r.claimed_by,
}
_TEXT_SORTS = frozenset({"order_ref", "status", "event", "seller", "section", "holder"})
_INT_SORTS = frozenset({"account", "attempts"})
SORT_KEYS = tuple(SORT_COLUMNS)
MAX_LIMIT = 1000
_SORT_VALUE = "sort_value"
_TRIGRAM_RUN = re.compile(r"[A-Za-z0-9]{3}")
_BITMAP_SCANS_ONLY = text(
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),"
    " set_config('enable_indexonlyscan', 'off', true)")


class BadCursorError(DomainError):
    """The paging cursor is malformed or belongs to another sort."""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(flt: QueueFilter, include_status: bool = True) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter (``include_status=False`` for the per-status counts)."""
    where: list[ColumnElement[bool]] = []
    if include_status and flt.statuses:
        where.append(Transfer.status.in_(sorted(s.value for s in flt.statuses)))
    if flt.platform:
        where.append(Transfer.platform == flt.platform)
    if flt.account_id is not None:
        where.append(Transfer.account_id == flt.account_id)
    if flt.event_name:
        where.append(Transfer.event_name == flt.event_name)
    if flt.seller:
        seller = flt.seller.strip().lower()
        where.append(or_(func.lower(Transfer.seller_name) == seller,
                         func.lower(Transfer.seller_email) == seller))
    if (due_before := flt.due_before(datetime.now(UTC))) is not None:
        where.append(Transfer.due_at < due_before)
    if flt.text.strip():
        pattern = f"%{_escape_like(flt.text.strip().lower())}%"
        where.append(Transfer.search_text.like(pattern, escape="\\"))
    return where


def encode_cursor(sort: str, descending: bool, value: Any, row_id: int) -> str:
    """An opaque cursor after the row with sort value ``value`` and id ``row_id``."""
    raw = value.isoformat() if isinstance(value, datetime) else value
    payload = json.dumps({"s": sort, "d": descending, "v": raw, "i": row_id})
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[Any, int]:
    """The ``(sort value, id)`` a cursor points after.

    Raises:
        BadCursorError: malformed, or made for another sort/direction.
    """
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        value, row_id = data["v"], int(data["i"])
        same = data["s"] == sort and bool(data["d"]) == descending
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCursorError(f"invalid queue cursor {cursor[:40]!r}") from exc
    if not same:
        raise BadCursorError("the queue cursor belongs to another sort order; start over")
    try:
        if value is None and sort in _NULL_STANDIN_SQL:
            return None, row_id
        if sort in _INT_SORTS:
            value = int(value)
        elif sort not in _TEXT_SORTS:
            value = datetime.fromisoformat(value)
        elif not isinstance(value, str):
            raise TypeError(value)
    except (ValueError, TypeError) as exc:
        raise BadCursorError(f"invalid queue cursor {cursor[:40]!r}") from exc
    return value, row_id


def _sort_terms(sort: str) -> list[ColumnElement[Any]]:
    """The ORDER BY terms of a sort key, id excluded."""
    column = SORT_COLUMNS[sort]
    if sort not in _NULL_STANDIN_SQL:
        return [column.expression]
    return [column.is_(None), func.coalesce(column, _standin(sort))]


def _standin(sort: str) -> ColumnElement[Any]:
    return literal_column(_NULL_STANDIN_SQL[sort], SORT_COLUMNS[sort].type)


def _cursor_terms(sort: str, value: Any) -> list[Any]:
    """The cursor's position in the same shape as :func:`_sort_terms`."""
    if sort not in _NULL_STANDIN_SQL:
        return [value]
    return [value is None, _standin(sort) if value is None else value]


def row_sort_key(row: TransferRow, sort: str) -> tuple[bool, object, int]:
    """Where ``row`` sorts under ``sort``, ascending, as :func:`page_query` orders it.

    NULLs last (NULL flag first, then the value, then the id); text compares by code point as
    the database's C collation does; reverse the key for a descending sort.
    """
    value = ROW_SORT_VALUES[sort](row)
    return value is None, value, row.id


def page_query(
    flt: QueueFilter, sort: str, descending: bool, cursor: str | None, limit: int
) -> Select[*tuple[Any, ...]]:
    """The SELECT for one keyset window (``limit + 1`` rows to detect a next page): the queue
    row's columns (:data:`~app.repositories.mapping.TRANSFER_ROW_COLUMNS`, not the whole
    transfer) and the sort value the next cursor needs (as ``sort_value``).

    Raises:
        UnknownValueError: unknown sort or status; BadCursorError: bad cursor.
    """
    if sort not in SORT_COLUMNS:
        raise UnknownValueError("sort", sort, SORT_KEYS)
    terms = [*_sort_terms(sort), Transfer.id]
    stmt = select(*TRANSFER_ROW_COLUMNS, SORT_COLUMNS[sort].label(_SORT_VALUE)).where(
        *conditions(flt))
    if cursor:
        value, row_id = decode_cursor(cursor, sort, descending)
        key = tuple_(*terms)
        after = tuple_(*_cursor_terms(sort, value), row_id)
        stmt = stmt.where(key < after if descending else key > after)
    if descending:
        stmt = stmt.order_by(*(t.desc() for t in terms))
    else:
        stmt = stmt.order_by(*(t.asc() for t in terms))
    return stmt.limit(max(1, min(limit, MAX_LIMIT)) + 1)


def fetch_page(
    session: Session, flt: QueueFilter, sort: str, descending: bool, cursor: str | None,
    limit: int,
) -> tuple[list[TransferRow], str | None]:
    """One window of queue rows and the cursor for the next (None at the end)."""
    found = session.execute(page_query(flt, sort, descending, cursor, limit)).all()
    limit = max(1, min(limit, MAX_LIMIT))
    more = len(found) > limit
    found = found[:limit]
    rows = [transfer_row(r) for r in found]
    if not more:
        return rows, None
    last = found[-1]
    return rows, encode_cursor(sort, descending, last.sort_value, last.id)


def has_trigram(term: str) -> bool:
    """Whether the trigram index can look ``term`` up: it holds a run of three letters or
    digits (pg_trgm finds no trigram in "j", "jo" or "a-b")."""
    return _TRIGRAM_RUN.search(term) is not None


def status_counts(session: Session, flt: QueueFilter) -> dict[Status, int]:
    """Rows per status matching every filter but the status one (every status present).

    A term the trigram index can look up is always counted through its bitmap: the planner
    prices a LIKE on the long ``search_text`` at a fraction of what it costs, so near the
    crossover it picked a scan of the whole table (80-100 ms for "john" on 100k rows) over the
    bitmap (about 17 ms), or, with only the sequential scan ruled out, a walk of the status
    index filtering every row. The plain scans are off for the rest of this transaction. The
    worst case, a term in every row ("example"), costs about a quarter more than a table scan.
    """
    if has_trigram(flt.text.strip()):
        session.execute(_BITMAP_SCANS_ONLY)
    stmt = (
        select(Transfer.status, func.count())
        .where(*conditions(flt, include_status=False))
        .group_by(Transfer.status)
    )
    counts = dict.fromkeys(Status, 0)
    for status, count in session.execute(stmt):
        counts[Status(status)] = int(count)
    return counts


def queue_counts(session: Session, flt: QueueFilter, cap: int = COUNT_CAP) -> QueueCounts:
    """The desk's counts: exact, except for a term the trigram index cannot look up.

    Such a term ("j", "jo") has no index to go through, so an exact count reads the whole
    table (80-100 ms on 100k rows). It is counted over the first ``cap`` matching rows instead
    (a scan that stops there: a few ms for a common term). When that many match, every figure
    is a lower bound (``exact=False``) and the filter's own total, with its statuses, is
    counted the same way. A term that matches fewer rows is exact, at the full scan's cost.
    """
    term = flt.text.strip()
    if not term or has_trigram(term):
        exact = status_counts(session, flt)
        return QueueCounts(exact, _included(flt, exact))
    first = (select(Transfer.status).where(*conditions(flt, include_status=False))
             .limit(cap).subquery())
    by_status = dict.fromkeys(Status, 0)
    for status, count in session.execute(
            select(first.c.status, func.count()).group_by(first.c.status)):
        by_status[Status(status)] = int(count)
    if sum(by_status.values()) < cap:
        return QueueCounts(by_status, _included(flt, by_status))
    if not flt.statuses:
        return QueueCounts(by_status, cap, exact=False, total_exact=False)
    matching = select(literal(1)).where(*conditions(flt)).limit(cap).subquery()
    total = int(session.scalar(select(func.count()).select_from(matching)) or 0)
    return QueueCounts(by_status, total, exact=False, total_exact=total < cap)


def _included(flt: QueueFilter, by_status: dict[Status, int]) -> int:
    """The filter's total: the counts of the statuses it includes."""
    return sum(n for s, n in by_status.items() if flt.includes(s))
