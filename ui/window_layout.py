"""Where the window's layout is kept between runs: geometry, splitter and queue columns.

Owns the QSettings keys; the window hands over the widgets whose state is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

GEOMETRY, SPLITTER, QUEUE_HEADER = "window/geometry", "window/splitter", "queue/header"


@dataclass(frozen=True)
class WindowLayout:
    """The widgets whose state is kept (splitter and header: None before the window is built)."""

    window: QWidget
    splitter: QSplitter | None
    queue_header: QHeaderView | None


def restore_layout(parts: WindowLayout) -> None:
    """Restore geometry, splitter and column widths from QSettings."""
    store = QSettings()
    if (geometry := store.value(GEOMETRY)) is not None:
        parts.window.restoreGeometry(geometry)
    if parts.splitter is not None and (state := store.value(SPLITTER)) is not None:
        parts.splitter.restoreState(state)
    if parts.queue_header is not None and (header := store.value(QUEUE_HEADER)) is not None:
        parts.queue_header.restoreState(header)


def save_layout(parts: WindowLayout) -> None:
    """Write geometry, splitter and column widths to QSettings."""
    store = QSettings()
    store.setValue(GEOMETRY, parts.window.saveGeometry())
    if parts.splitter is not None:
        store.setValue(SPLITTER, parts.splitter.saveState())
    if parts.queue_header is not None:
        store.setValue(QUEUE_HEADER, parts.queue_header.saveState())
