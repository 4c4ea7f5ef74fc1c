"""The queue's filter controls: the saved view, status, account and due boxes and the search box
(with its debounce timer), laid out by the :class:`~ui.filter_bar.FilterBar`.

Owns the controls and the mapping between them and the core's
:class:`~app.domain.records.QueueFilter` (a saved view shown in the boxes, the boxes read back
into a filter, the account box filled from the portal accounts). What a change does (reload) is
the queue widget's: it connects the controls' signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from app.domain.records import PortalAccountInfo, QueueFilter
from app.domain.states import OPEN_STATUSES, Status
from ui.filter_bar import FilterBar
from ui.labels import STATUS_LABELS
from ui.saved_views import SavedViewBox
from ui.widgets import named

SEARCH_DEBOUNCE_MS = 250
DUE_CHOICES: dict[str, timedelta | None] = {
    "Any due": None, "Overdue": timedelta(0), "< 6 h": timedelta(hours=6),
    "< 24 h": timedelta(hours=24), "< 3 days": timedelta(days=3),
}
#: The status box's item data for "Any status" ("Open statuses" is None, the others a Status).
ANY_STATUS = "*"


class QueueFilterControls:
    """The boxes above the queue table, children of ``parent``; ``count_label`` ends the bar.

    Attributes:
        debounce: fires :data:`SEARCH_DEBOUNCE_MS` after the last keystroke in the search box.
    """

    def __init__(self, parent: QWidget, count_label: QLabel) -> None:
        self.view_box = named(SavedViewBox(), "Saved view")
        self.status_box = named(QComboBox(), "Status filter")
        self.status_box.addItem("Open statuses", None)
        for status in Status:
            self.status_box.addItem(STATUS_LABELS[status], status)
        self.status_box.addItem("Any status", ANY_STATUS)
        self.account_box = named(QComboBox(), "Account filter")
        self.account_box.addItem("All accounts", None)
        self.due_box = named(QComboBox(), "Due filter")
        self.due_box.addItems(list(DUE_CHOICES))
        self.search_edit = named(
            QLineEdit(placeholderText="Search order, event, seller, seats…  (/)"), "Search")
        self.search_edit.setClearButtonEnabled(True)
        self.debounce = QTimer(parent, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self.search_edit.textEdited.connect(lambda _text: self.debounce.start())
        self.bar = FilterBar(  # the search stays readable; due, account, status give way
            [self.view_box], [self.status_box, self.account_box, self.due_box],
            self.search_edit, [count_label])

    def show_view(self, view: QueueFilter) -> None:
        """Set the status, due and account boxes to a saved view's filter."""
        if view.statuses == OPEN_STATUSES:
            self.status_box.setCurrentIndex(0)
        else:
            wanted = next(iter(view.statuses), ANY_STATUS)  # a single status, or any
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(wanted)))
        due_names = [k for k, v in DUE_CHOICES.items() if v == view.due_within]
        self.due_box.setCurrentText(due_names[0] if due_names else "Any due")
        self.account_box.setCurrentIndex(0)

    def show_any_status(self) -> None:
        """Pick "Any status" (a batch summary link searches every status)."""
        self.status_box.setCurrentIndex(self.status_box.findData(ANY_STATUS))

    def applied_to(self, query: QueueFilter) -> QueueFilter:
        """``query`` with the status, account and due boxes' choices."""
        status = self.status_box.currentData()
        statuses = (
            OPEN_STATUSES if status is None
            else frozenset() if status == ANY_STATUS else frozenset({Status(status)})
        )
        return replace(query, statuses=statuses, account_id=self.account_box.currentData(),
                       due_within=DUE_CHOICES[self.due_box.currentText()])

    def fill_accounts(self, accounts: Sequence[PortalAccountInfo]) -> dict[int | None, str]:
        """List ``accounts`` in the account box (keeping the choice); their shown names."""
        current = self.account_box.currentData()
        self.account_box.clear()
        self.account_box.addItem("All accounts", None)
        names: dict[int | None, str] = {}
        for account in accounts:
            names[account.id] = account.label or account.username
            self.account_box.addItem(names[account.id], account.id)
        self.account_box.setCurrentIndex(max(0, self.account_box.findData(current)))
        return names
