"""A side table with Refresh and one action on the selected rows (escrow problems, dead letters).

The view only renders and forwards intent (a :class:`RowAction` says what): rows come from a
blocking ``load`` run on the service executor into a
:class:`~ui.models.columns.ColumnTableModel`; the action button sends the selected rows' keys to
a blocking ``act`` on the executor, then reloads. Errors are shown in the
status line, never raised: the view stays usable. Sorting by a header goes through a proxy on
the model's ``SortRole``; until a header is clicked the rows keep the service's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RowAction(Generic[T]):
    """What a :class:`RowActionView` shows and does.

    ``load`` and ``act`` block (they run on the executor): ``load`` returns the rows, ``act``
    takes the selected rows' ``key`` values and returns those it applied to.
    """

    title: str
    table_name: str
    button: str  # "Retry selected"
    verb: str  # for "Retry failed: …"
    what: str  # for "Could not load escrow problems: …"
    load: Callable[[], Sequence[T]]
    act: Callable[[list[int]], Sequence[int]]
    key: Callable[[T], int]
    loaded_text: Callable[[Sequence[T]], str]
    acted_text: Callable[[Sequence[int], Sequence[int]], str]  # (applied, selected)


class RowActionView(QWidget, Generic[T]):
    """A titled table of ``T`` with Refresh and one action button, as ``action`` says."""

    def __init__(self, model: ColumnTableModel[T], action: RowAction[T],
                 executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._action, self._executor, self._tasks = action, executor, tasks
        self.model = model
        self.model.setParent(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortRole)
        self.table = named(QTableView(), action.table_name)
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
        self.action_button = QPushButton(action.button)
        self.action_button.clicked.connect(lambda: self._tasks.spawn(self.act_on_selected()))
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.action_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{action.title}</b>"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._update_state()

    async def reload(self) -> None:
        """Load the rows off the GUI thread."""
        try:
            rows = await self._executor.call(self._action.load)
        except Exception as exc:  # shown, not raised: the view must stay usable
            self.status.setText(f"Could not load {self._action.what}: {exc}")
            return
        self.model.set_rows(rows)
        self.status.setText(self._action.loaded_text(rows))
        self._update_state()

    def selected_rows(self) -> list[T]:
        """The selected rows, in the order shown."""
        shown = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in shown]

    def selected_ids(self) -> list[int]:
        """The keys of the selected rows."""
        return [self._action.key(row) for row in self.selected_rows()]

    async def act_on_selected(self) -> None:
        """Apply the action to the selected rows off the GUI thread, then reload."""
        ids = self.selected_ids()
        if not ids:
            return
        try:
            done = await self._executor.call(self._action.act, ids)
        except Exception as exc:  # shown, not raised
            self.status.setText(f"{self._action.verb} failed: {exc}")
            return
        await self.reload()
        self.status.setText(self._action.acted_text(done, ids))

    def _update_state(self) -> None:
        self.action_button.setEnabled(bool(self.table.selectionModel().selectedRows()))
