"""The queue query: filters, sorts and keyset windows over transfers, plus counts."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db.models import Transfer
from app.domain.errors import DomainError, UnknownValueError
from app.domain.records import QueueFilter
from app.domain.states import OPEN_STATUSES, Status, parse_status

SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "due": Transfer.due_at,
    "created": Transfer.created_at,
    "updated": Transfer.updated_at,
    "order_ref": Transfer.order_ref,
}
SORT_KEYS = tuple(SORT_COLUMNS)
MAX_LIMIT = 1000


class BadCursorError(DomainError):
    """The paging cursor is malformed or belongs to another sort."""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(flt: QueueFilter, include_status: bool = True) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter (``include_status=False`` for the per-status counts).

    Raises:
        UnknownValueError: a status that does not exist.
    """
    where: list[ColumnElement[bool]] = []
    if include_status and flt.statuses:
        where.append(Transfer.status.in_([parse_status(s).value for s in flt.statuses]))
    if flt.open_only:
        where.append(Transfer.status.in_([s.value for s in OPEN_STATUSES]))
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
    if flt.due_before is not None:
        where.append(Transfer.due_at < flt.due_before)
    if flt.text and flt.text.strip():
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
    if sort != "order_ref":
        value = datetime.fromisoformat(value)
    return value, row_id


def page_query(
    flt: QueueFilter, sort: str, descending: bool, cursor: str | None, limit: int
) -> Select[Transfer]:
    """The SELECT for one keyset window (``limit + 1`` rows to detect a next page).

    Raises:
        UnknownValueError: unknown sort or status; BadCursorError: bad cursor.
    """
    if sort not in SORT_COLUMNS:
        raise UnknownValueError("sort", sort, SORT_KEYS)
    column = SORT_COLUMNS[sort]
    stmt = select(Transfer).where(*conditions(flt))
    if cursor:
        value, row_id = decode_cursor(cursor, sort, descending)
        key = tuple_(column, Transfer.id)
        after = tuple_(value, row_id)
        stmt = stmt.where(key < after if descending else key > after)
    if descending:
        stmt = stmt.order_by(column.desc(), Transfer.id.desc())
    else:
        stmt = stmt.order_by(column.asc(), Transfer.id.asc())
    return stmt.limit(max(1, min(limit, MAX_LIMIT)) + 1)


def fetch_page(
    session: Session, flt: QueueFilter, sort: str, descending: bool, cursor: str | None,
    limit: int,
) -> tuple[list[Transfer], str | None]:
    """One window of transfers and the cursor for the next (None at the end)."""
    rows = list(session.scalars(page_query(flt, sort, descending, cursor, limit)))
    limit = max(1, min(limit, MAX_LIMIT))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    value = getattr(last, SORT_COLUMNS[sort].key)
    return rows, encode_cursor(sort, descending, value, last.id)


def status_counts(session: Session, flt: QueueFilter) -> dict[str, int]:
    """Rows per status matching every filter but the status one (every status present)."""
    stmt = (
        select(Transfer.status, func.count())
        .where(*conditions(flt, include_status=False))
        .group_by(Transfer.status)
    )
    counts = {s.value: 0 for s in Status}
    for status, count in session.execute(stmt):
        counts[str(status)] = int(count)
    return counts
