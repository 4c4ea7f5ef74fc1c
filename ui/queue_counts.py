"""The queue's count: the label at the end of the filter bar and the per-status figures.

Owns the count query of the current filter (started beside the page, which never waits for
it; a newer query cancels it in PostgreSQL) and how counts read: "1,234 transfers", or
"1,000+ transfers" when a one- or two-letter search was counted only up to the cap
(:class:`~app.domain.queue_counts.QueueCounts`); until they arrive, the rows loaded so far
("100+ transfers…"). The per-status figures (the status filter ignored) are the label's
tooltip and the status box's item tooltips, capped the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from app.desk.api import DeskBackend
from app.domain.queue_counts import COUNT_CAP, QueueCounts
from app.domain.records import QueueFilter
from app.domain.states import Status
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.labels import STATUS_LABELS
from ui.widgets import named


class QueueCounter:
    """Counts the current filter and shows the figures on ``label`` and the ``status_box``.

    Args:
        loaded_rows: () -> (rows loaded, whether more can be fetched), shown until counted.
    """

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 loaded_rows: Callable[[], tuple[int, bool]]) -> None:
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._loaded_rows = loaded_rows
        self.label = named(QLabel(), "Transfer count")
        self.status_box: QComboBox | None = None  # set once the filter controls exist
        #: The current filter's counts (None: not counted yet).
        self.counts: QueueCounts | None = None

    @property
    def status_counts(self) -> dict[Status, int]:
        """Rows per status (exact, or lower bounds when capped); empty until counted."""
        return {} if self.counts is None else dict(self.counts.by_status)

    def forget(self) -> None:
        """The filter changed: the old counts no longer apply (the label shows loaded rows)."""
        self.counts = None
        self.label.setToolTip("")

    def start(self, query: QueueFilter, is_current: Callable[[], bool]) -> None:
        """Count ``query`` in the background; shown if ``is_current()`` still holds then."""
        self._tasks.spawn(self._count(query, is_current), name="queue-count")

    async def _count(self, query: QueueFilter, is_current: Callable[[], bool]) -> None:
        counts = await self._executor.call_cancellable(self._backend.queue_counts, query)
        if is_current():
            self.counts = counts
            self.show()
            self._show_per_status(counts)

    def show(self) -> None:
        """Render the total (or, before the counts arrive, the rows loaded so far)."""
        if self.counts is None:
            rows, more = self._loaded_rows()
            self.label.setText(f"{rows:,}{'+' if more else ''} transfers…")
        else:
            self.label.setText(self.counts.total_text())

    def _show_per_status(self, counts: QueueCounts) -> None:
        """The per-status figures: the label's tooltip and the status box's item tooltips."""
        per_status = ", ".join(f"{STATUS_LABELS[s]} {counts.status_text(s)}" for s in Status)
        capped = ("" if counts.exact else f" (counting stops at {COUNT_CAP:,} matching rows "
                  "for a search of one or two letters)")
        self.label.setToolTip(f"Per status, any filter but the status one: {per_status}{capped}")
        if self.status_box is not None:
            for status in Status:
                if (index := self.status_box.findData(status)) >= 0:
                    self.status_box.setItemData(index, f"{counts.status_text(status)} matching",
                                                Qt.ItemDataRole.ToolTipRole)
