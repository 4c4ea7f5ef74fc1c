"""Dead letters: webhook deliveries that gave up after ~3 days, with Resend.

The list comes from ``WebhookService.dead_letters()``; Resend queues the selected deliveries
again (the deliverer in the worker or ``transferdesk webhooks deliver`` sends them).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.webhooks.repository import DeadLetter
from app.webhooks.service import WebhookService
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.rows_model import RowRole, RowsModel
from ui.widgets import named


class DeadLettersModel(RowsModel[DeadLetter]):
    """One row per dead delivery."""

    HEADERS = ("Endpoint", "Event", "Order", "Attempts", "Queued", "Last error")

    def cells(self, row: DeadLetter) -> tuple[Any, ...]:
        """Endpoint, event, order, attempts, when queued, last error."""
        code = (f" (HTTP {row.last_status_code})"
                if row.last_status_code and "HTTP" not in row.last_error else "")
        return (row.endpoint, row.what, row.order_ref or "—", str(row.attempts),
                row.created_at.astimezone().strftime("%d %b %H:%M"), row.last_error + code)


class DeadLettersView(QWidget):
    """The dead letters table with Refresh and Resend selected."""

    def __init__(self, service: WebhookService, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._executor, self._tasks = service, executor, tasks
        self.model = DeadLettersModel(self)
        self.table = named(QTableView(), "Dead letters")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_state())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(lambda: self._tasks.spawn(self.reload()))
        self.resend_button = QPushButton("Resend selected")
        self.resend_button.clicked.connect(lambda: self._tasks.spawn(self.resend_selected()))
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.resend_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Webhook deliveries that gave up</b>"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._update_state()

    async def reload(self) -> None:
        """Load the dead letters off the GUI thread."""
        try:
            letters = await self._executor.call(self._service.dead_letters)
        except Exception as exc:  # shown, not raised: the view must stay usable
            self.status.setText(f"Could not load dead letters: {exc}")
            return
        self.model.set_rows(letters)
        self.status.setText(f"{len(letters)} dead deliver{'y' if len(letters) == 1 else 'ies'}"
                            if letters else "No dead letters: every webhook was delivered.")
        self._update_state()

    def selected_ids(self) -> list[int]:
        """Delivery ids of the selected rows."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.data(self.model.index(r, 0), RowRole).id for r in rows]

    async def resend_selected(self) -> None:
        """Queue the selected deliveries again, then reload."""
        ids = self.selected_ids()
        if not ids:
            return
        try:
            queued = await self._executor.call(self._service.resend, ids)
        except Exception as exc:
            self.status.setText(f"Resend failed: {exc}")
            return
        await self.reload()
        self.status.setText(f"Queued again: {len(queued)} of {len(ids)} selected.")

    def _update_state(self) -> None:
        self.resend_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
