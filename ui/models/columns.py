"""Typed column specs and the one read-only table model built from them.

A table is a tuple of :class:`Column` specs over a frozen row type ``T`` (header, display text,
sort value, tooltip). :class:`ColumnTableModel` shows a list of such rows; ``RowRole`` returns
the row object itself and ``SortRole`` the column's sort value (for a ``QSortFilterProxyModel``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RowRole = int(Qt.ItemDataRole.UserRole)
SortRole = int(Qt.ItemDataRole.UserRole) + 1
SortValue = str | int | float
T = TypeVar("T")
NO_VALUE = "—"


def words(value: StrEnum) -> str:
    """An enum value as words ("capture_pending" -> "capture pending")."""
    return value.value.replace("_", " ")


def short_time(value: datetime | None) -> str:
    """Local day and time ("05 Mar 14:05"), or a dash."""
    return value.astimezone().strftime("%d %b %H:%M") if value is not None else NO_VALUE


def full_time(value: datetime | None) -> str:
    """Local date and time with seconds and zone, for tooltips; or a dash."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if value is not None else NO_VALUE


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its header, the text of a cell, and optionally its sort value and tooltip.

    Without ``sort`` the display text sorts; without ``tooltip`` the cell has none.
    """

    header: str
    display: Callable[[T], str]
    sort: Callable[[T], SortValue] | None = None
    tooltip: Callable[[T], str] | None = None

    def sort_value(self, row: T) -> SortValue:
        """What this column sorts ``row`` by."""
        return self.sort(row) if self.sort is not None else self.display(row)


class ColumnTableModel(QAbstractTableModel, Generic[T]):
    """Read-only rows of ``T`` shown through :attr:`COLUMNS` (set by each subclass)."""

    COLUMNS: tuple[Column[T], ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        """The rows shown, in model order."""
        return list(self._rows)

    def row_at(self, row: int) -> T:
        """The row object at model row ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt override)
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip is not None else None
        if role == RowRole:
            return row
        if role == SortRole:
            return column.sort_value(row)
        return None
