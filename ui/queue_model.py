"""The queue table model: one row per transfer, windowed over keyset pages, sorted server-side.

The model never loads the whole queue: it holds the pages fetched so far and asks for the next
one through :attr:`TransferTableModel.fetch_requested` when the view scrolls near the end
(``canFetchMore`` / ``fetchMore``). Sorting is done by the database (the ``sort`` override only
emits :attr:`sort_requested`), so 100k rows sort as fast as a page loads. Live changes arrive as
fresh :class:`~app.domain.records.TransferRow` objects: :meth:`upsert_rows` updates in place
(``dataChanged``), inserts rows that now belong to the loaded window (placed with the core's
:func:`~app.services.queue.row_sort_key`, the same order as the SQL) and removes rows that no
longer match, so selection and scroll stay. Owns the table model, its columns and the due
formatting (the row's ``due_at`` is the database's, used as given).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from app.domain.records import TransferRow
from app.domain.states import Status
from app.services.queue import row_sort_key
from ui.due_display import due_brush, due_level, due_variants, format_due, local_time
from ui.labels import STATUS_LABELS
from ui.row_tooltip import row_tooltip

Index = QModelIndex | QPersistentModelIndex

COL_STATUS = 0
COL_DUE = 1
COL_EVENT = 2
COL_EVENT_DATE = 3
COL_SEATS = 4
COL_SELLER = 5
COL_ACCOUNT = 6
COL_NOTICE = 7
COL_ATTEMPTS = 8
COL_HOLDER = 9
COL_ORDER = 10

SortRole = Qt.ItemDataRole.UserRole
RowRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
DueLevelRole = Qt.ItemDataRole.UserRole + 3
DueTextsRole = Qt.ItemDataRole.UserRole + 4  # due_variants(): fullest to narrowest


def _seats(row: TransferRow) -> str:
    parts = [f"Sec {row.section or '?'}", f"Row {row.row or '?'}"]
    if row.seats:
        parts.append("Seats " + ", ".join(row.seats))
    return " · ".join(parts)


def _notice(row: TransferRow) -> str:
    if row.notice_received_at is not None:
        return local_time(row.notice_received_at)
    return "waiting" if row.status is Status.AWAITING_NOTICE else "received"


#: (header, server sort key, display text of a row at a given instant).
COLUMNS: tuple[tuple[str, str, Callable[[TransferRow, datetime], str]], ...] = (
    ("Status", "status", lambda r, n: STATUS_LABELS[r.status]),
    ("Due", "due", lambda r, n: format_due(r.due_at, n)),
    ("Event", "event", lambda r, n: r.event_name),
    ("Event date", "event_date", lambda r, n: local_time(r.event_starts_at)),
    ("Section / row / seats", "section", lambda r, n: _seats(r)),
    ("Seller", "seller", lambda r, n: r.seller_name),
    ("Account", "account", lambda r, n: ""),  # resolved through TransferTableModel.account_names
    ("Notice", "notice", lambda r, n: _notice(r)),
    ("Attempts", "attempts", lambda r, n: str(r.attempts)),
    ("Held by", "holder", lambda r, n: r.claimed_by or ""),
    ("Order", "order_ref", lambda r, n: r.order_ref),
    ("Updated", "updated", lambda r, n: local_time(r.updated_at)),
)
COL_UPDATED = 11
#: Column -> the queue service's sort key (every column sorts in the database).
SORT_KEYS: dict[int, str] = {i: key for i, (_, key, _) in enumerate(COLUMNS)}


class TransferTableModel(QAbstractTableModel):
    """Transfers currently loaded for the queue view.

    Signals:
        fetch_requested(): the view wants the next page (answer with :meth:`append_rows`).
        sort_requested(int, Qt.SortOrder): reload sorted by that column.
    """

    fetch_requested = Signal()
    sort_requested = Signal(int, Qt.SortOrder)

    def __init__(
        self, now: Callable[[], datetime] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._rows: list[TransferRow] = []
        self._by_id: dict[int, int] = {}
        self._has_more = False
        self._fetching = False
        self._now = now or (lambda: datetime.now(UTC))
        self.sort_column = COL_DUE
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.matches: Callable[[TransferRow], bool] = lambda row: True
        self.account_names: dict[int | None, str] = {}
        self._text_cache: dict[int, tuple[str, ...]] = {}
        # Each role answers its own type (text, brush, row, id); Qt takes them as QVariant.
        self._role_answers: dict[int, Callable[[TransferRow, int], object]] = {
            int(Qt.ItemDataRole.DisplayRole): self._display,
            int(RowRole): lambda row, _column: row,
            int(IdRole): lambda row, _column: row.id,
            int(SortRole): lambda row, column: row_sort_key(row, SORT_KEYS[column]),
            int(DueLevelRole): lambda row, _column: int(due_level(row.due_at, self._now())),
            int(DueTextsRole): lambda row, _column: due_variants(row.due_at, self._now()),
            int(Qt.ItemDataRole.ForegroundRole): self._foreground,
            int(Qt.ItemDataRole.ToolTipRole): self._tooltip,
        }

    # --- Qt API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = 0
    ) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # A repaint asks ~7 roles of every visible cell: answer the unused ones first and
        # cheaply, and format each row's static texts once (see _texts).
        answer = self._role_answers.get(role)
        if answer is None:
            return None
        position = index.row()
        if not 0 <= position < len(self._rows):
            return None
        return answer(self._rows[position], index.column())

    def _display(self, row: TransferRow, column: int) -> str:
        if column == COL_DUE:
            return format_due(row.due_at, self._now())
        texts = self._text_cache.get(row.id)
        if texts is None:
            texts = self._texts(row)
            self._text_cache[row.id] = texts
        return texts[column]

    def _texts(self, row: TransferRow) -> tuple[str, ...]:
        """Every column's text of ``row`` except the due one (which depends on the time)."""
        now = self._now()
        return tuple(
            self.account_names.get(row.account_id, "") if column == COL_ACCOUNT
            else "" if column == COL_DUE else text(row, now)
            for column, (_header, _key, text) in enumerate(COLUMNS)
        )

    def _foreground(self, row: TransferRow, column: int) -> QBrush | None:
        if column != COL_DUE:
            return None
        return due_brush(due_level(row.due_at, self._now()))

    def _tooltip(self, row: TransferRow, _column: int) -> str:
        return row_tooltip(row, self._now(), self.account_names.get(row.account_id, ""))

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_requested.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in SORT_KEYS:
            self.sort_column, self.sort_order = column, order
            self.sort_requested.emit(column, order)

    # --- loading --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[TransferRow], has_more: bool) -> None:
        """Replace everything (new filter, sort or view)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._text_cache.clear()
        self._reindex()
        self._has_more, self._fetching = has_more, False
        self.endResetModel()

    def append_rows(self, rows: Sequence[TransferRow], has_more: bool) -> None:
        """Add the next page (skipping rows already present after a live insert)."""
        fresh = [r for r in rows if r.id not in self._by_id]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._reindex(first)
            self.endInsertRows()
        self._has_more, self._fetching = has_more, False

    def fetch_failed(self) -> None:
        """Let the view ask again after a failed page load."""
        self._fetching = False

    @property
    def has_more(self) -> bool:
        """True when more pages exist beyond the loaded window."""
        return self._has_more

    def set_account_names(self, names: dict[int | None, str]) -> None:
        """Names for the account column (portal account id -> label)."""
        self.account_names = names
        self._text_cache.clear()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_ACCOUNT), self.index(len(self._rows) - 1, COL_ACCOUNT)
            )

    # --- live updates ---------------------------------------------------------------------
    def row_for_id(self, transfer_id: int) -> int | None:
        """Model row of a transfer, if loaded."""
        return self._by_id.get(transfer_id)

    def row_object(self, row: int) -> TransferRow:
        """The row object at ``row``."""
        return self._rows[row]

    def upsert_rows(self, rows: Iterable[TransferRow], removed_ids: Iterable[int] = ()) -> None:
        """Apply live changes: update in place, insert in sort position, or drop non-matches."""
        for transfer_id in removed_ids:
            self._remove(transfer_id)
        for row in rows:
            position = self._by_id.get(row.id)
            if not self.matches(row):
                self._remove(row.id)
            elif position is not None and self._in_place(position, row):
                self._rows[position] = row
                self._text_cache.pop(row.id, None)
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(COLUMNS) - 1)
                )
            else:
                self._remove(row.id)
                self._insert_sorted(row)

    def refresh_due(self) -> None:
        """Repaint the due column (time passes; colours change)."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, COL_DUE), self.index(len(self._rows) - 1, COL_DUE),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, DueTextsRole],
            )

    def _key(self, row: TransferRow) -> tuple[bool, object, int]:
        return row_sort_key(row, SORT_KEYS[self.sort_column])

    def _in_place(self, position: int, row: TransferRow) -> bool:
        """True if ``row`` still sorts between its neighbours."""
        key = self._key(row)
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        before = self._key(self._rows[position - 1]) if position > 0 else None
        after = self._key(self._rows[position + 1]) if position + 1 < len(self._rows) else None
        if descending:
            before, after = after, before
        return (before is None or before <= key) and (after is None or key <= after)

    def _insert_sorted(self, row: TransferRow) -> None:
        keys = [self._key(r) for r in self._rows]
        key = self._key(row)
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            position = len(keys) - bisect.bisect_left(keys[::-1], key)
        else:
            position = bisect.bisect_right(keys, key)
        if position == len(self._rows) and self._has_more:
            return  # beyond the loaded window: it arrives with its page
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, row)
        self._reindex(position)
        self.endInsertRows()

    def _remove(self, transfer_id: int) -> None:
        position = self._by_id.get(transfer_id)
        if position is None:
            return
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        del self._by_id[transfer_id]
        self._text_cache.pop(transfer_id, None)
        self._reindex(position)
        self.endRemoveRows()

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._by_id = {}
        for i in range(start, len(self._rows)):
            self._by_id[self._rows[i].id] = i
