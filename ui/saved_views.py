"""The queue's saved-view box: it always names the filter in force.

Owns which saved view a :class:`~app.domain.records.QueueFilter` is (:func:`view_name`) and the
combo box that shows it: a saved view's name while the filter is that view, else a
:data:`CUSTOM` entry that exists only while no view fits (a batch summary's link searching every
status, a hand-picked status, due or account). Choosing a saved view again restores it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.desk.api import SAVED_VIEWS
from app.domain.records import QueueFilter

CUSTOM = "Custom"


def view_name(query: QueueFilter) -> str | None:
    """The saved view ``query`` is, free text and sort order aside (None: none of them)."""
    bare = replace(query, text="", sort_key="due", descending=False)
    return next((name for name, view in SAVED_VIEWS.items() if view == bare), None)


class SavedViewBox(QComboBox):
    """The saved views, plus "Custom" while the filter matches none of them.

    Signals:
        view_chosen(str): a saved view was picked (by hand, a menu item or its number key);
            never emitted when the box only follows the filter (:meth:`show_filter`).
    """

    view_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(list(SAVED_VIEWS))
        self._following = False
        self.currentTextChanged.connect(self._text_changed)

    def show_filter(self, query: QueueFilter) -> None:
        """Show the saved view ``query`` is, or "Custom" (added while needed, then removed)."""
        name = view_name(query)
        custom = self.findText(CUSTOM)
        self._following = True
        try:
            if name is None:
                if custom < 0:
                    self.addItem(CUSTOM)
                self.setCurrentText(CUSTOM)
                self.setToolTip("The filter is not a saved view: choose one to go back to it")
            else:
                self.setCurrentText(name)
                if custom >= 0:
                    self.removeItem(custom)
                self.setToolTip("")
        finally:
            self._following = False

    def _text_changed(self, text: str) -> None:
        if not self._following and text in SAVED_VIEWS:
            self.view_chosen.emit(text)
