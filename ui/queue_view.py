"""The queue: saved views, filters, debounced search and the windowed transfer table.

All loading happens in named background tasks on the service executor; a newer query cancels
the older one (search-as-you-type) down to its SQL statement in PostgreSQL, and a generation
counter drops pages of a superseded query. The page and the counts are two queries started
together; the rows never wait for the counts, which only update the label. Owns the queue
widget: filters, saved views and loading; the filter is the core's
:class:`~app.domain.records.QueueFilter`, as given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.changefeed import QueueResync, TransferChanged
from app.desk.api import DEFAULT_VIEW, SAVED_VIEWS, DeskBackend, now_utc
from app.domain.records import PortalAccountInfo, QueueFilter, TransferRow
from app.domain.states import OPEN_STATUSES, Status
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.filter_bar import FilterBar
from ui.labels import STATUS_LABELS
from ui.queue_model import COL_DUE, SORT_KEYS, IdRole, TransferTableModel
from ui.saved_views import SavedViewBox
from ui.status_chip import install_queue_delegates
from ui.widgets import named

PAGE_SIZE = 100
SEARCH_DEBOUNCE_MS = 250
LIVE_COALESCE_MS = 100
DUE_CHOICES: dict[str, timedelta | None] = {
    "Any due": None, "Overdue": timedelta(0), "< 6 h": timedelta(hours=6),
    "< 24 h": timedelta(hours=24), "< 3 days": timedelta(days=3),
}


class QueueWidget(QWidget):
    """Filters above the transfer table.

    Signals:
        current_changed(object): the current row object (or None).
        loaded(float): a query finished loading its first page, after that many seconds.
    """

    current_changed = Signal(object)
    loaded = Signal(float)

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._query = DEFAULT_VIEW
        self._generation = 0
        self._wanted_id: int | None = None  # select this transfer when the next page loads
        self._link_search: tuple[str, str] | None = None  # (order ref shown, text before it)
        self._cursor: str | None = None
        self._total: int | None = None
        self.status_counts: dict[Status, int] = {}
        self._pending_live: set[int] = set()
        self.accounts: dict[int, PortalAccountInfo] = {}
        self._menu_factory: Callable[[QWidget], QMenu] | None = None
        self.context_menu: QMenu | None = None  # the last one shown
        self.model = TransferTableModel(parent=self)
        self.model.fetch_requested.connect(self._fetch_next)
        self.model.sort_requested.connect(self._on_sort)
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self._live_timer = QTimer(self, singleShot=True, interval=LIVE_COALESCE_MS)
        self._live_timer.timeout.connect(self._flush_live)
        self._due_timer = QTimer(self, interval=60_000)
        self._due_timer.timeout.connect(self.model.refresh_due)
        self._due_timer.start()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.view_box = named(SavedViewBox(), "Saved view")
        self.view_box.view_chosen.connect(self.apply_view)
        self.status_box = named(QComboBox(), "Status filter")
        self.status_box.addItem("Open statuses", None)
        for status in Status:
            self.status_box.addItem(STATUS_LABELS[status], status)
        self.status_box.addItem("Any status", "*")
        self.status_box.activated.connect(self._filters_changed)
        self.account_box = named(QComboBox(), "Account filter")
        self.account_box.addItem("All accounts", None)
        self.account_box.activated.connect(self._filters_changed)
        self.due_box = named(QComboBox(), "Due filter")
        self.due_box.addItems(list(DUE_CHOICES))
        self.due_box.activated.connect(self._filters_changed)
        self.search_edit = named(
            QLineEdit(placeholderText="Search order, event, seller, seats…  (/)"), "Search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textEdited.connect(lambda _text: self._debounce.start())
        self.search_edit.returnPressed.connect(self._search_entered)
        self.count_label = named(QLabel(), "Transfer count")
        self.filter_bar = FilterBar(  # the search stays readable; due, account, status give way
            [self.view_box], [self.status_box, self.account_box, self.due_box],
            self.search_edit, [self.count_label])

        self.table = named(QTableView(), "Transfer queue")
        self.table.setModel(self.model)
        install_queue_delegates(self.table)  # status chips, Due text that narrows by meaning
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)  # the order is saved with the widths (window_layout)
        header.setStretchLastSection(True)
        header.setSortIndicator(COL_DUE, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.table.setSortingEnabled(True)
        for column, width in enumerate((150, 110, 220, 120, 210, 140, 120, 110, 70, 110, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)

    # --- public ---------------------------------------------------------------------------
    @property
    def counts_loaded(self) -> bool:
        """True once the counts of the current query have arrived (the label shows the total)."""
        return self._total is not None

    @property
    def query(self) -> QueueFilter:
        """The filter currently applied."""
        return self._query

    def apply_view(self, name: str) -> None:
        """Switch to a saved view (resets filters, keeps the search text staff typed: a
        batch summary link's order ref gives way to the text from before the link)."""
        view = SAVED_VIEWS[name]
        link, self._link_search = self._link_search, None
        if link is not None and self.search_edit.text() == link[0]:
            self.search_edit.setText(link[1])
            self._query = replace(self._query, text=link[1])
        if view.statuses == OPEN_STATUSES:
            self.status_box.setCurrentIndex(0)
        else:
            wanted = next(iter(view.statuses), "*")  # a single status, or any ("*")
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(wanted)))
        due_names = [k for k, v in DUE_CHOICES.items() if v == view.due_within]
        self.due_box.setCurrentText(due_names[0] if due_names else "Any due")
        self.account_box.setCurrentIndex(0)
        self.set_query(replace(view, text=self._query.text))

    def set_query(self, query: QueueFilter) -> None:
        """Apply a filter and reload from the first page."""
        self._query = query
        self.view_box.show_filter(query)
        self.reload()

    def reload(self) -> None:
        """Reload the first page of the current query and count it, side by side (preempts
        any load and count in flight)."""
        self._generation += 1
        self._total = None  # the label's total belongs to the previous query until counted
        self._tasks.cancel("queue-fetch")  # a next page the new query makes useless
        self._tasks.spawn(self._load_first(self._generation), name="queue-load")
        self._tasks.spawn(self._count(self._generation), name="queue-count")

    async def load_accounts(self) -> None:
        """Fill the account filter and the account column's names."""
        accounts = await self._executor.call(self._backend.accounts)
        current = self.account_box.currentData()
        self.account_box.clear()
        self.account_box.addItem("All accounts", None)
        names: dict[int | None, str] = {}
        self.accounts = {account.id: account for account in accounts}
        for account in accounts:
            names[account.id] = account.label or account.username
            self.account_box.addItem(names[account.id], account.id)
        self.account_box.setCurrentIndex(max(0, self.account_box.findData(current)))
        self.model.set_account_names(names)

    def set_context_menu(self, factory: Callable[[QWidget], QMenu]) -> None:
        """Right-click (or the Menu key) on the table shows the menu ``factory`` builds."""
        self._menu_factory = factory

    def _show_context_menu(self, position: QPoint) -> None:
        if self._menu_factory is None:
            return
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        current = self.table.visualRect(self.table.currentIndex())
        if current.isValid() and not current.contains(position):  # the Menu key, Shift+F10
            position = current.center()
        menu = self._menu_factory(self.table)
        menu.setAccessibleName("Transfer actions menu")
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(position))  # never exec(): no nested loop

    def _search_entered(self) -> None:
        """Enter in the search box: apply it now and go to the results (keyboard triage)."""
        self._debounce.stop()
        self._apply_search()
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.select_row(0)

    def show_transfer(self, transfer_id: int) -> None:
        """Select a transfer (a batch summary's link): at once when it is loaded, else search
        every status for its order ref and select it when that page arrives."""
        if (row := self.model.row_for_id(transfer_id)) is not None:
            self.select_row(row)
            self.table.setFocus()
            return
        self._tasks.spawn(self._find(transfer_id), name="queue-find")

    async def _find(self, transfer_id: int) -> None:
        rows = await self._executor.call(self._backend.queue_rows, [transfer_id])
        if not rows:
            return
        self._wanted_id = transfer_id
        self._link_search = (rows[0].order_ref, self._query.text)
        self.search_edit.setText(rows[0].order_ref)
        self.status_box.setCurrentIndex(self.status_box.findData("*"))
        self.set_query(replace(self._query, text=rows[0].order_ref, statuses=frozenset()))

    def selected_rows(self) -> list[TransferRow]:
        """Row objects of the selected rows, in view order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_object(r) for r in rows]

    def current_row(self) -> TransferRow | None:
        """The row object under the cursor."""
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    def move_cursor(self, step: int) -> None:
        """Select the next (+1) or previous (-1) row."""
        count = self.model.rowCount()
        if not count:
            return
        current = self.table.currentIndex().row()
        target = 0 if current < 0 else min(max(current + step, 0), count - 1)
        self.select_row(target)

    def select_row(self, row: int) -> None:
        """Make ``row`` current and the only selection."""
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def on_transfer_changed(self, event: TransferChanged | QueueResync) -> None:
        """Queue a changed transfer for the next coalesced refresh (bridge slot)."""
        if isinstance(event, QueueResync):
            self._tasks.spawn(self.resync(self._generation), name="queue-resync")
            return
        self.refresh_row(event.id)

    def refresh_row(self, transfer_id: int) -> None:
        """Re-read one transfer's row soon (coalesced with the live updates)."""
        self._pending_live.add(transfer_id)
        if not self._live_timer.isActive():
            self._live_timer.start()

    # --- loading --------------------------------------------------------------------------
    async def _load_first(self, generation: int) -> None:
        started = time.perf_counter()
        query = self._query
        page = await self._executor.call_cancellable(self._backend.queue_page, query, None,
                                                     PAGE_SIZE)
        if generation != self._generation:
            return
        current = self.current_row()
        self._cursor = page.next_cursor
        self.model.matches = lambda row: query.matches(row, now_utc())
        self.model.set_rows(page.rows, page.next_cursor is not None)
        # Lay the table out now, not on the view's delayed timer: a row count that changes
        # the scroll range would otherwise repaint the whole table a second time (~20 ms).
        self.table.doItemsLayout()
        self._update_count()
        wanted = self._wanted_id if self._wanted_id is not None else (
            current.id if current is not None else None)
        self._wanted_id = None
        if wanted is not None and (row := self.model.row_for_id(wanted)) is not None:
            self.select_row(row)
        self.loaded.emit(time.perf_counter() - started)

    async def _count(self, generation: int) -> None:
        """Count the current query (the page does not wait for it: it may land before or after)."""
        counts = await self._executor.call_cancellable(self._backend.queue_counts, self._query)
        if generation == self._generation:
            self.status_counts = counts
            self._total = sum(n for s, n in counts.items() if self._query.includes(s))
            self._update_count()

    def _fetch_next(self) -> None:
        self._tasks.spawn(self._load_next(self._generation), name="queue-fetch")

    async def _load_next(self, generation: int) -> None:
        try:
            page = await self._executor.call_cancellable(
                self._backend.queue_page, self._query, self._cursor, PAGE_SIZE
            )
        except BaseException:
            self.model.fetch_failed()
            raise
        if generation == self._generation:
            self._cursor = page.next_cursor
            self.model.append_rows(page.rows, page.next_cursor is not None)
            self._update_count()

    def _flush_live(self) -> None:
        ids, self._pending_live = sorted(self._pending_live), set()
        if ids:
            self._tasks.spawn(self._apply_live(ids, self._generation))

    async def _apply_live(self, ids: list[int], generation: int) -> None:
        rows = await self._executor.call(self._backend.queue_rows, ids)
        if generation != self._generation:
            return
        top = self.table.indexAt(self.table.viewport().rect().topLeft())
        top_id = top.data(IdRole) if top.isValid() else None
        present = {r.id for r in rows}
        self.model.upsert_rows(rows, removed_ids=[i for i in ids if i not in present])
        if top_id is not None and (row := self.model.row_for_id(top_id)) is not None:
            self.table.scrollTo(
                self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        self._update_count()

    async def resync(self, generation: int) -> None:
        """Refresh every loaded row and the first page in place (notifications were lost)."""
        loaded = [self.model.row_object(r).id for r in range(self.model.rowCount())]
        rows = await self._executor.call(self._backend.queue_rows, loaded)
        page = await self._executor.call(self._backend.queue_page, self._query, None, PAGE_SIZE)
        if generation != self._generation:
            return
        fresh = {r.id for r in rows}
        self.model.upsert_rows([*rows, *page.rows],
                               removed_ids=[i for i in loaded if i not in fresh])
        self._update_count()
        self._tasks.spawn(self._count(generation), name="queue-count")

    # --- slots ----------------------------------------------------------------------------
    def _apply_search(self) -> None:
        text = self.search_edit.text().strip()
        if text != self._query.text:
            self.set_query(replace(self._query, text=text))

    def _filters_changed(self, _index: int = 0) -> None:
        status = self.status_box.currentData()
        statuses = (
            OPEN_STATUSES if status is None
            else frozenset() if status == "*" else frozenset({Status(status)})
        )
        self.set_query(replace(
            self._query, statuses=statuses, account_id=self.account_box.currentData(),
            due_within=DUE_CHOICES[self.due_box.currentText()],
        ))

    def _sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:  # every column sorts today; kept for columns added later
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)

    def _on_sort(self, column: int, order: Qt.SortOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if (SORT_KEYS[column], descending) != (self._query.sort_key, self._query.descending):
            self.set_query(replace(self._query, sort_key=SORT_KEYS[column], descending=descending))

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(
            self.model.row_object(current.row()) if current.isValid() else None)

    def _update_count(self) -> None:
        if self._total is None:
            more = "+" if self.model.has_more else ""
            self.count_label.setText(f"{self.model.rowCount():,}{more} transfers…")
        else:
            self.count_label.setText(f"{self._total:,} transfers")
