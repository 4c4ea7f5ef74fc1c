"""Unmatched notices: transfer emails no transfer was matched to, linked by hand.

Pick a notice, search open transfers, pick one, confirm: the link is one service call (and one
audit row). The confirmation is inline, never a modal loop. A notice no template reads well can
be opened in the teach panel (:mod:`ui.teach_template`) to teach its school's layout. Both lists
are tables over the core's rows (:mod:`ui.models.notices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import QItemSelection, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend
from app.domain.records import MailMessageInfo, TransferRow
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.columns import ColumnTableModel
from ui.models.notices import NoticesModel, TransferCandidatesModel
from ui.teach_template import TeachTemplatePanel, TemplateTeacher
from ui.widgets import named

T = TypeVar("T")


def _single_row_table(model: ColumnTableModel[T], name: str) -> QTableView:
    table = named(QTableView(), name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    return table


def _current(table: QTableView, model: ColumnTableModel[T]) -> T | None:
    rows = table.selectionModel().selectedRows()
    return model.row_at(rows[0].row()) if rows else None


class NoticesView(QWidget):
    """List of unmatched notices with search-and-link."""

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None, teacher: TemplateTeacher | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._teacher = teacher
        self.teach_panel: TeachTemplatePanel | None = None
        self.teach_button = named(QPushButton("Teach template…"), "Teach template")
        self.teach_button.clicked.connect(lambda: self._tasks.spawn(self.open_teach()))
        self.notices_model = NoticesModel(self)
        self.notices = _single_row_table(self.notices_model, "Unmatched notices")
        self.notices.selectionModel().selectionChanged.connect(self._update_state)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Find the transfer: order, event, seller…")
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._search)
        self.search_edit.textEdited.connect(lambda _t: self._debounce.start())
        self.candidates_model = TransferCandidatesModel(self)
        self.candidates = _single_row_table(self.candidates_model, "Matching transfers")
        self.candidates.selectionModel().selectionChanged.connect(self._update_state)
        self.link_button = QPushButton("Link notice to transfer")
        self.link_button.clicked.connect(self._confirm)
        self.confirm_label = QLabel(wordWrap=True)
        self.confirm_button = named(QPushButton("Confirm link"), "Confirm link", visible=False)
        self.confirm_button.clicked.connect(lambda: self._tasks.spawn(self.link_selected()))
        self.status = QLabel()
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.confirm_label, 1)
        confirm_row.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Notices without a transfer</b>"))
        layout.addWidget(self.notices, 2)
        layout.addWidget(self.teach_button)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.candidates, 2)
        layout.addWidget(self.link_button)
        layout.addLayout(confirm_row)
        layout.addWidget(self.status)
        self._update_state()

    async def reload(self) -> None:
        """Reload the unmatched notices."""
        notices: Sequence[MailMessageInfo] = await self._executor.call(
            self._backend.unmatched_notices)
        self.notices_model.set_rows(notices)
        self.status.setText(f"{len(notices)} unmatched notice(s)")
        self._update_state()

    def _search(self) -> None:
        self._tasks.spawn(self.search(self.search_edit.text().strip()), name="notice-search")

    async def search(self, text: str) -> None:
        """Show open transfers matching ``text``."""
        rows: Sequence[TransferRow] = await self._executor.call(
            self._backend.search_transfers, text, 50)
        self.candidates_model.set_rows(rows)
        self._update_state()

    def _selected(self) -> tuple[MailMessageInfo | None, TransferRow | None]:
        return (_current(self.notices, self.notices_model),
                _current(self.candidates, self.candidates_model))

    def _update_state(self, *_selection: QItemSelection) -> None:
        notice, row = self._selected()
        self.link_button.setEnabled(notice is not None and row is not None)
        self.teach_button.setEnabled(notice is not None and notice.evidence_id is not None)
        self.confirm_button.setVisible(False)
        self.confirm_label.clear()

    def _confirm(self) -> None:
        notice, row = self._selected()
        if notice is None or row is None:
            return
        self.confirm_label.setText(
            f"Link “{notice.subject}” to <b>{row.order_ref}</b> ({row.event_name})? "
            "This marks its notice as received."
        )
        self.confirm_button.setVisible(True)

    async def open_teach(self) -> TeachTemplatePanel | None:
        """Open the selected notice in the teach panel (its own window)."""
        notice, _ = self._selected()
        if notice is None:
            return None
        if self._teacher is None:
            self._teacher = TemplateTeacher.from_backend(self._backend)
        if self.teach_panel is None:
            self.teach_panel = TeachTemplatePanel(self._teacher, self._executor, self._tasks)
            self.teach_panel.resize(900, 800)
        await self.teach_panel.open_notice(notice.id)
        self.teach_panel.show()
        self.teach_panel.raise_()
        return self.teach_panel

    async def link_selected(self) -> None:
        """Link the selected notice to the selected transfer."""
        notice, row = self._selected()
        if notice is None or row is None:
            return
        await self._executor.call(self._backend.link_notice, notice.id, row.id)
        await self.reload()
        self.status.setText(f"Linked to {row.order_ref}")
