"""Where the window's layout is kept between runs, and how it is laid out the first time.

Owns the QSettings keys (geometry, splitter, the queue header: column widths, order and sort),
the first-run size (80 % of the screen, capped) and the main splitter's steady sizing (fixed
stretch factors, no collapsing). The window hands over the widgets whose state is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

GEOMETRY, SPLITTER, QUEUE_HEADER = "window/geometry", "window/splitter", "queue/header"
QUEUE_COLUMNS = "queue/columns"  # the column count the saved header state belongs to
FIRST_RUN_SHARE = 0.8
FIRST_RUN_MAX = (1600, 1000)
QUEUE_SHARE = 0.55  # of the splitter's width, on the first run (the detail needs ~700 px)


@dataclass(frozen=True)
class WindowLayout:
    """The widgets whose state is kept (splitter and header: None before the window is built)."""

    window: QWidget
    splitter: QSplitter | None
    queue_header: QHeaderView | None


def place_first_run(window: QWidget) -> None:
    """Size ``window`` to 80 % of its screen (at most 1600 x 1000, at least its minimum size
    where the screen has room) and centre it."""
    screen = window.screen().availableGeometry()
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    width = min(max(min(int(screen.width() * FIRST_RUN_SHARE), FIRST_RUN_MAX[0]),
                    least.width()), screen.width())
    height = min(max(min(int(screen.height() * FIRST_RUN_SHARE), FIRST_RUN_MAX[1]),
                     least.height()), screen.height())
    window.resize(width, height)
    frame = window.frameGeometry()
    frame.moveCenter(screen.center())
    window.move(frame.topLeft())


def steady_splitter(left: QWidget, right: QWidget, width: int) -> QSplitter:
    """A horizontal splitter that keeps its place: fixed stretch factors (a window resize is
    shared 3:2), children never collapse, first split 60 / 40 of ``width``."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("mainSplitter")
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setChildrenCollapsible(False)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([int(width * QUEUE_SHARE), width - int(width * QUEUE_SHARE)])
    return splitter


def restore_geometry(window: QWidget) -> None:
    """Give ``window`` its saved geometry, or the first-run one (before it is shown)."""
    geometry = QSettings().value(GEOMETRY)
    if geometry is None or not window.restoreGeometry(geometry):
        place_first_run(window)


def keep_on_screen(window: QWidget) -> None:
    """Move ``window`` back inside its screen if growing to its minimum size pushed it out."""
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if screen.contains(frame):
        return
    frame.moveRight(min(frame.right(), screen.right()))
    frame.moveBottom(min(frame.bottom(), screen.bottom()))
    frame.moveLeft(max(frame.left(), screen.left()))
    frame.moveTop(max(frame.top(), screen.top()))
    window.move(frame.topLeft())


def restore_layout(parts: WindowLayout) -> None:
    """Restore the splitter and the queue's columns (widths, order, sort) from QSettings.

    A header saved for another set of columns is ignored (the defaults stay).
    """
    store = QSettings()
    if parts.splitter is not None and (state := store.value(SPLITTER)) is not None:
        parts.splitter.restoreState(state)
    header = parts.queue_header
    if header is not None and (saved := store.value(QUEUE_HEADER)) is not None:
        if _int(store.value(QUEUE_COLUMNS)) == header.count():
            header.restoreState(saved)


def save_layout(parts: WindowLayout) -> None:
    """Write geometry, splitter and the queue's columns to QSettings."""
    store = QSettings()
    store.setValue(GEOMETRY, parts.window.saveGeometry())
    if parts.splitter is not None:
        store.setValue(SPLITTER, parts.splitter.saveState())
    if parts.queue_header is not None:
        store.setValue(QUEUE_HEADER, parts.queue_header.saveState())
        store.setValue(QUEUE_COLUMNS, parts.queue_header.count())
    store.sync()


def _int(value: object) -> int | None:
    """A QSettings value as an int (INI files give strings back)."""
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None
