"""Unmatched notices: transfer emails no transfer was matched to, linked by hand.

Pick a notice, search open transfers, pick one, confirm: the link is one service call (and one
audit row). The confirmation is inline, never a modal loop. A notice no template reads well can
be opened in the teach panel (:mod:`ui.teach_template`) to teach its school's layout.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.teach_template import TeachTemplatePanel, TemplateTeacher
from ui.widgets import named

DATA = Qt.ItemDataRole.UserRole


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
        self.notices = named(QListWidget(), "Unmatched notices")
        self.notices.currentItemChanged.connect(self._update_state)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Find the transfer: order, event, seller…")
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._search)
        self.search_edit.textEdited.connect(lambda _t: self._debounce.start())
        self.candidates = named(QListWidget(), "Matching transfers")
        self.candidates.currentItemChanged.connect(self._update_state)
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
        notices = await self._executor.call(self._backend.unmatched_notices)
        self.notices.clear()
        for notice in notices:
            when = notice.received_at.astimezone().strftime("%d %b %H:%M") \
                if notice.received_at else "?"
            item = QListWidgetItem(f"{when}  {notice.subject}  ({notice.from_addr})")
            item.setData(DATA, notice)
            self.notices.addItem(item)
        self.status.setText(f"{len(notices)} unmatched notice(s)")
        self._update_state()

    def _search(self) -> None:
        self._tasks.spawn(self.search(self.search_edit.text().strip()), name="notice-search")

    async def search(self, text: str) -> None:
        """Show open transfers matching ``text``."""
        rows = await self._executor.call(self._backend.search_transfers, text, 50)
        self.candidates.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.order_ref} — {row.event_name} — {row.seller_name}")
            item.setData(DATA, row)
            self.candidates.addItem(item)
        self._update_state()

    def _selected(self) -> tuple[Any, Any]:
        notice = self.notices.currentItem()
        row = self.candidates.currentItem()
        return (notice.data(DATA) if notice else None, row.data(DATA) if row else None)

    def _update_state(self, *_args: Any) -> None:
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
