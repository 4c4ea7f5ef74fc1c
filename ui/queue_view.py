"""The queue widget: the filter controls above the windowed transfer table, and its loading.

Owns the current filter (the core's :class:`~app.domain.records.QueueFilter`, as given), the
pages and the selection. All loading happens in named background tasks on the service
executor; a newer query cancels the older one (search-as-you-type) down to its SQL statement in
PostgreSQL, and a generation counter drops pages of a superseded query. The page and the counts
are two queries started together; the rows never wait for the counts. Its parts: the controls
(:mod:`ui.queue_filters`), the count (:mod:`ui.queue_counts`), live updates
(:mod:`ui.queue_live`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from app.changefeed import QueueResync, TransferChanged
from app.desk.api import DEFAULT_VIEW, SAVED_VIEWS, DeskBackend, now_utc
from app.domain.records import PortalAccountInfo, QueueFilter, TransferRow
from app.domain.states import Status
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.queue_counts import QueueCounter
from ui.queue_filters import QueueFilterControls
from ui.queue_live import LiveRows
from ui.queue_model import SORT_KEYS, TransferTableModel
from ui.queue_table import build_queue_table, enable_sorting_and_menu, popup_context_menu

PAGE_SIZE = 100


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
        self.accounts: dict[int, PortalAccountInfo] = {}
        self._menu_factory: Callable[[QWidget], QMenu] | None = None
        self.context_menu: QMenu | None = None  # the last one shown
        self.model = TransferTableModel(parent=self)
        self.model.fetch_requested.connect(self._fetch_next)
        self.model.sort_requested.connect(self._on_sort)
        self.counter = QueueCounter(backend, executor, tasks,
                                    lambda: (self.model.rowCount(), self.model.has_more))
        self.count_label = self.counter.label
        self._build()
        self.live = LiveRows(backend, executor, tasks, self.model, self.table, PAGE_SIZE,
                             lambda: (self._generation, self._query), self._rows_changed)
        self._due_timer = QTimer(self, interval=60_000)
        self._due_timer.timeout.connect(self.model.refresh_due)
        self._due_timer.start()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.filters = QueueFilterControls(self, self.count_label)
        self.view_box, self.status_box = self.filters.view_box, self.filters.status_box
        self.account_box, self.due_box = self.filters.account_box, self.filters.due_box
        self.search_edit, self.filter_bar = self.filters.search_edit, self.filters.bar
        self.counter.status_box = self.status_box
        self.view_box.view_chosen.connect(self.apply_view)
        for box in (self.status_box, self.account_box, self.due_box):
            box.activated.connect(self._filters_changed)
        self.filters.debounce.timeout.connect(self._apply_search)
        self.search_edit.returnPressed.connect(self._search_entered)

        self.table = build_queue_table(self.model)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        enable_sorting_and_menu(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.customContextMenuRequested.connect(self._show_context_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)

    # --- public ---------------------------------------------------------------------------
    @property
    def counts_loaded(self) -> bool:
        """True once the counts of the current query have arrived (the label shows the total)."""
        return self.counter.counts is not None

    @property
    def status_counts(self) -> dict[Status, int]:
        """The current query's rows per status, its status filter ignored (empty: not yet)."""
        return self.counter.status_counts

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
        self.filters.show_view(view)
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
        self.counter.forget()  # the label's total belongs to the previous query until counted
        self._tasks.cancel("queue-fetch")  # a next page the new query makes useless
        self._tasks.spawn(self._load_first(self._generation), name="queue-load")
        self._count(self._generation)

    async def load_accounts(self) -> None:
        """Fill the account filter and the account column's names."""
        accounts = await self._executor.call(self._backend.accounts)
        self.accounts = {account.id: account for account in accounts}
        self.model.set_account_names(self.filters.fill_accounts(accounts))

    def set_context_menu(self, factory: Callable[[QWidget], QMenu]) -> None:
        """Right-click (or the Menu key) on the table shows the menu ``factory`` builds."""
        self._menu_factory = factory

    def _show_context_menu(self, position: QPoint) -> None:
        if self._menu_factory is None:
            return
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = popup_context_menu(self.table, self._menu_factory, position)

    def _search_entered(self) -> None:
        """Enter in the search box: apply it now and go to the results (keyboard triage)."""
        self.filters.debounce.stop()
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
        self.filters.show_any_status()
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
        self.live.on_transfer_changed(event)

    def refresh_row(self, transfer_id: int) -> None:
        """Re-read one transfer's row soon (coalesced with the live updates)."""
        self.live.refresh_row(transfer_id)

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

    def _count(self, generation: int) -> None:
        """Count the current query (the page does not wait for it: it may land before or after)."""
        self.counter.start(self._query, lambda: generation == self._generation)

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

    def _rows_changed(self, generation: int, recount: bool) -> None:
        """Live updates changed the loaded rows (after a resync, recount too)."""
        self._update_count()
        if recount:
            self._count(generation)

    # --- slots ----------------------------------------------------------------------------
    def _apply_search(self) -> None:
        text = self.search_edit.text().strip()
        if text != self._query.text:
            self.set_query(replace(self._query, text=text))

    def _filters_changed(self, _index: int = 0) -> None:
        self.set_query(self.filters.applied_to(self._query))

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
        self.counter.show()
