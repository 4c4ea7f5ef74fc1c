"""Escrow problems: held money that did not move as decided, with a retry.

The list comes from ``EscrowService.problems()``; "Retry" re-queues failed captures/cancels
(one audit row each) for the escrow processor, which is the only code that calls Stripe.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named

HEADERS = ("Order", "Event", "Decision", "Escrow", "Attempts", "Hold lapses", "Error")
DATA = Qt.ItemDataRole.UserRole


def _cells(problem: Any) -> tuple[str, ...]:
    lapses = problem.hold_expires_at.astimezone().strftime("%d %b %H:%M") \
        if problem.hold_expires_at else "—"
    return (problem.order_ref, problem.event_name, problem.status.replace("_", " "),
            problem.escrow_status.replace("_", " "), str(problem.escrow_attempts), lapses,
            problem.escrow_error or "")


class EscrowProblemsView(QWidget):
    """A table of escrow problems with Refresh and Retry selected."""

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self.table = named(QTableWidget(0, len(HEADERS)), "Escrow problems")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_state)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(lambda: self._tasks.spawn(self.reload()))
        self.retry_button = QPushButton("Retry selected")
        self.retry_button.clicked.connect(lambda: self._tasks.spawn(self.retry_selected()))
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Held money that did not move as decided</b>"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._update_state()

    async def reload(self) -> None:
        """Load the problems list off the GUI thread."""
        try:
            problems = await self._executor.call(self._backend.escrow_problems)
        except Exception as exc:  # shown, not raised: the view must stay usable
            self.status.setText(f"Could not load escrow problems: {exc}")
            return
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            for col, text in enumerate(_cells(problem)):
                item = QTableWidgetItem(text)
                item.setData(DATA, problem.transfer_id)
                self.table.setItem(row, col, item)
        self.status.setText(f"{len(problems)} escrow problem(s)" if problems
                            else "No escrow problems: every decided hold moved.")
        self._update_state()

    def selected_ids(self) -> list[int]:
        """Transfer ids of the selected rows."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        items = [self.table.item(row, 0) for row in sorted(rows)]
        return [int(item.data(DATA)) for item in items if item is not None]

    async def retry_selected(self) -> None:
        """Re-queue the selected failed captures/cancels, then reload."""
        ids = self.selected_ids()
        if not ids:
            return
        try:
            queued = await self._executor.call(self._backend.escrow_retry, ids)
        except Exception as exc:
            self.status.setText(f"Retry failed: {exc}")
            return
        await self.reload()
        self.status.setText(f"Queued again: {len(queued)} of {len(ids)} selected "
                            "(only failed ones can be retried).")

    def _update_state(self) -> None:
        has_rows = self.table.selectionModel() is not None and bool(
            self.table.selectionModel().selectedRows())
        self.retry_button.setEnabled(has_rows)
