"""The queue's table view: its look and the right-click menu's placement.

Owns how the transfer table is set up (whole-row extended selection, the status chip and Due
delegates, movable and sortable columns with their first-run widths, due ascending first) and
where its context menu pops up. What the rows are and what a click does is the queue widget's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ui.queue_model import COL_DUE, TransferTableModel
from ui.status_chip import install_queue_delegates
from ui.widgets import named

#: First-run column widths, in column order (the saved layout replaces them).
COLUMN_WIDTHS = (150, 110, 220, 120, 210, 140, 120, 110, 70, 110, 110)


def build_queue_table(model: TransferTableModel) -> QTableView:
    """The table over ``model``, sorted by due ascending, with the queue's delegates."""
    table = named(QTableView(), "Transfer queue")
    table.setModel(model)
    install_queue_delegates(table)  # status chips, Due text that narrows by meaning
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionsMovable(True)  # the order is saved with the widths (window_layout)
    header.setStretchLastSection(True)
    header.setSortIndicator(COL_DUE, Qt.SortOrder.AscendingOrder)
    return table


def enable_sorting_and_menu(table: QTableView) -> None:
    """Sorting by header clicks, first-run widths and a custom context menu (connected by the
    caller: ``customContextMenuRequested``)."""
    table.setSortingEnabled(True)
    for column, width in enumerate(COLUMN_WIDTHS):
        table.setColumnWidth(column, width)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


def popup_context_menu(table: QTableView, factory: Callable[[QWidget], QMenu],
                       position: QPoint) -> QMenu:
    """Show the menu ``factory`` builds at ``position``, or on the current row when the key
    (Menu, Shift+F10) asked for it; never ``exec()``: no nested loop."""
    current = table.visualRect(table.currentIndex())
    if current.isValid() and not current.contains(position):
        position = current.center()
    menu = factory(table)
    menu.setAccessibleName("Transfer actions menu")
    menu.popup(table.viewport().mapToGlobal(position))
    return menu
