"""The queue's filter bar: the search box keeps a readable width, the other filters give way.

Owns the bar's layout. One row while everything fits with the search box at its preferred
width (a full order ref or seller name and more); when the bar is narrower (150 % on a small
screen), the lower-priority filters move, lowest first, to a second row; the search box never
gets narrower than :data:`SEARCH_MIN_CHARS` characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

#: The search box shows at least this many average characters ("ORD-2026-0041275", a name).
SEARCH_MIN_CHARS = 24
#: ...and asks for this many when there is room (most of the placeholder reads).
SEARCH_PREFERRED_CHARS = 32


def search_widths(search: QLineEdit) -> tuple[int, int]:
    """(minimum, preferred) widths of ``search`` in its own font's characters."""
    metrics = search.fontMetrics()
    chrome = max(search.sizeHint().width() - metrics.horizontalAdvance("x" * 17), 0)
    return (metrics.averageCharWidth() * SEARCH_MIN_CHARS + chrome,
            metrics.averageCharWidth() * SEARCH_PREFERRED_CHARS + chrome)


class FilterBar(QWidget):
    """``leading`` widgets, ``movable`` ones, the search box (stretching) and ``trailing`` ones
    on one row; the movable ones go to a second row, the last first, when the first row would
    squeeze the search box below its preferred width."""

    def __init__(self, leading: Sequence[QWidget], movable: Sequence[QWidget],
                 search: QLineEdit, trailing: Sequence[QWidget],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._leading, self._movable = list(leading), list(movable)
        self._search, self._trailing = search, list(trailing)
        least, self._search_preferred = search_widths(search)
        search.setMinimumWidth(least)
        self._first, self._second = QHBoxLayout(), QHBoxLayout()
        for row in (self._first, self._second):
            row.setContentsMargins(0, 0, 0, 0)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(self._first)
        rows.addLayout(self._second)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._moved = -1  # how many movable widgets sit on the second row (-1: not laid out)
        self._arrange(0)

    @property
    def moved(self) -> list[QWidget]:
        """The filters on the second row (empty while everything fits on one)."""
        return self._movable[len(self._movable) - self._moved:] if self._moved > 0 else []

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As narrow as the two-row layout allows (never the one-row width)."""
        spacing = self._first.spacing()
        first = [*self._leading, self._search, *self._trailing]
        width = max(_width(first, spacing, minimum=True), _width(self._movable, spacing, True))
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._arrange(self._fitting(event.size().width()))
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        """A child's size hint changed (the count's text grew): fit the rows again, so the
        search box is not squeezed under its neighbours."""
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._arrange(self._fitting(self.width()))
        return super().event(event)

    def _fitting(self, width: int) -> int:
        """The fewest movable widgets to move so the first row fits with a comfortable search."""
        spacing = self._first.spacing()
        preferred = self._search_preferred
        for moved in range(len(self._movable) + 1):
            kept = self._movable[:len(self._movable) - moved]
            needed = _width([*self._leading, *kept, *self._trailing], spacing) + spacing
            if needed + preferred <= width:
                return moved
        return len(self._movable)

    def _arrange(self, moved: int) -> None:
        if moved == self._moved:
            return
        self._moved = moved
        kept = self._movable[:len(self._movable) - moved]
        for layout in (self._first, self._second):
            while layout.count():
                layout.takeAt(0)
        for widget in [*self._leading, *kept]:
            self._first.addWidget(widget)
        self._first.addWidget(self._search, 1)
        for widget in self._trailing:
            self._first.addWidget(widget)
        for widget in self._movable[len(kept):]:
            self._second.addWidget(widget)
        self._second.addStretch(1)
        self.updateGeometry()


def _width(widgets: Sequence[QWidget], spacing: int, minimum: bool = False) -> int:
    hints = [max(w.minimumSizeHint().width(), w.minimumWidth()) if minimum
             else w.sizeHint().width() for w in widgets]
    return sum(hints) + spacing * max(len(hints) - 1, 0)
