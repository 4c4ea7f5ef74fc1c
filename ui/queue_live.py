"""Live updates of the loaded queue rows, from the change feed.

Owns the coalescing: changed transfers are collected and re-read together, at most one query
per :data:`LIVE_COALESCE_MS` (a batch run changes many at once), then upserted into the model
with the row at the top of the view kept in place; and the resync (notifications were lost):
every loaded row and the first page re-read in place. Results of a superseded query are
dropped (the queue widget's generation).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QTableView

from app.changefeed import QueueResync, TransferChanged
from app.desk.api import DeskBackend
from app.domain.records import QueueFilter
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.queue_model import IdRole, TransferTableModel

LIVE_COALESCE_MS = 100


class LiveRows(QObject):
    """Keeps the rows of ``table`` (over ``model``) current.

    Args:
        page_size: the rows of the first page a resync re-reads.
        current: () -> (the widget's generation, its filter).
        changed: called with the generation after rows changed (``recount``: True after a
            resync, when the counts may be stale too).
    """

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 model: TransferTableModel, table: QTableView, page_size: int,
                 current: Callable[[], tuple[int, QueueFilter]],
                 changed: Callable[[int, bool], None]) -> None:
        super().__init__(table)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._model, self._table, self._page_size = model, table, page_size
        self._current, self._changed = current, changed
        self._pending: set[int] = set()
        self._timer = QTimer(self, singleShot=True, interval=LIVE_COALESCE_MS)
        self._timer.timeout.connect(self._flush)

    def on_transfer_changed(self, event: TransferChanged | QueueResync) -> None:
        """Queue a changed transfer for the next coalesced refresh; resync on QueueResync."""
        if isinstance(event, QueueResync):
            self._tasks.spawn(self.resync(self._current()[0]), name="queue-resync")
            return
        self.refresh_row(event.id)

    def refresh_row(self, transfer_id: int) -> None:
        """Re-read one transfer's row soon (coalesced with the other live updates)."""
        self._pending.add(transfer_id)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        ids, self._pending = sorted(self._pending), set()
        if ids:
            self._tasks.spawn(self._apply(ids, self._current()[0]))

    async def _apply(self, ids: list[int], generation: int) -> None:
        rows = await self._executor.call(self._backend.queue_rows, ids)
        if generation != self._current()[0]:
            return
        top = self._table.indexAt(self._table.viewport().rect().topLeft())
        top_id = top.data(IdRole) if top.isValid() else None
        present = {r.id for r in rows}
        self._model.upsert_rows(rows, removed_ids=[i for i in ids if i not in present])
        if top_id is not None and (row := self._model.row_for_id(top_id)) is not None:
            self._table.scrollTo(
                self._model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        self._changed(generation, False)

    async def resync(self, generation: int) -> None:
        """Refresh every loaded row and the first page in place (notifications were lost)."""
        model = self._model
        loaded = [model.row_object(r).id for r in range(model.rowCount())]
        rows = await self._executor.call(self._backend.queue_rows, loaded)
        _generation, query = self._current()
        page = await self._executor.call(self._backend.queue_page, query, None,
                                         self._page_size)
        if generation != self._current()[0]:
            return
        fresh = {r.id for r in rows}
        model.upsert_rows([*rows, *page.rows], removed_ids=[i for i in loaded if i not in fresh])
        self._changed(generation, True)
