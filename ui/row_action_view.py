"""A side table with Refresh and one action on the selected rows (escrow problems, dead letters).

The view only renders and forwards intent: rows come from a blocking ``load`` run on the service
executor into a :class:`~ui.models.columns.ColumnTableModel`; the action button sends the
selected rows' keys to a blocking ``act`` on the executor, then reloads. Errors are shown in the
status line, never raised: the view stays usable. Sorting by a header goes through a proxy on
the model's ``SortRole``; until a header is clicked the rows keep the service's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.columns import ColumnTableModel, SortRole
from ui.widgets import named

T = TypeVar("T")


class RowActionView(QWidget, Generic[T]):
    """A titled table of ``T`` with Refresh and one action button; subclasses say what to do."""

    TITLE = ""
    TABLE_NAME = ""
    ACTION_TEXT = ""  # the button: "Retry selected"
    VERB = ""  # for "Retry failed: …"
    WHAT = "rows"  # for "Could not load rows: …"

    def __init__(self, model: ColumnTableModel[T], executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._executor, self._tasks = executor, tasks
        self.model = model
        self.model.setParent(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortRole)
        self.table = named(QTableView(), self.TABLE_NAME)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_state())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(lambda: self._tasks.spawn(self.reload()))
        self.action_button = QPushButton(self.ACTION_TEXT)
        self.action_button.clicked.connect(lambda: self._tasks.spawn(self.act_on_selected()))
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.action_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{self.TITLE}</b>"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._update_state()

    def load(self) -> Sequence[T]:
        """The rows to show (blocking: runs on the executor)."""
        raise NotImplementedError

    def act(self, keys: list[int]) -> Sequence[int]:
        """Apply the action to the rows with ``keys``; the keys it applied to (blocking)."""
        raise NotImplementedError

    def key(self, row: T) -> int:
        """The id the action takes for ``row``."""
        raise NotImplementedError

    def loaded_text(self, rows: Sequence[T]) -> str:
        """The status line after a reload."""
        raise NotImplementedError

    def acted_text(self, done: Sequence[int], selected: Sequence[int]) -> str:
        """The status line after the action."""
        raise NotImplementedError

    async def reload(self) -> None:
        """Load the rows off the GUI thread."""
        try:
            rows = await self._executor.call(self.load)
        except Exception as exc:  # shown, not raised: the view must stay usable
            self.status.setText(f"Could not load {self.WHAT}: {exc}")
            return
        self.model.set_rows(rows)
        self.status.setText(self.loaded_text(rows))
        self._update_state()

    def selected_rows(self) -> list[T]:
        """The selected rows, in the order shown."""
        shown = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in shown]

    def selected_ids(self) -> list[int]:
        """The keys of the selected rows."""
        return [self.key(row) for row in self.selected_rows()]

    async def act_on_selected(self) -> None:
        """Apply the action to the selected rows off the GUI thread, then reload."""
        ids = self.selected_ids()
        if not ids:
            return
        try:
            done = await self._executor.call(self.act, ids)
        except Exception as exc:  # shown, not raised
            self.status.setText(f"{self.VERB} failed: {exc}")
            return
        await self.reload()
        self.status.setText(self.acted_text(done, ids))

    def _update_state(self) -> None:
        self.action_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
