"""Screens of the readable queue and the run panel, for make_screenshots.py (issue 21).

Each ``shoot_*`` puts the main window in the state to show and calls ``shot(widget, name)``
(make_screenshots.py's grab helper). What each needs:

- :func:`shoot_queue_chips`: the demo data (open rows in several statuses); any window size.
- :func:`shoot_run_panel_wide`: a live run of one sandbox transfer (``ORD-LIVE-0001`` in
  make_screenshots.py): run it, call this while frames arrive (``frames_shown >= 3``).
- :func:`shoot_frame_zoom`: after a run showed frames (the newest frame is zoomed).
- :func:`shoot_batch_summary`: three or more sandbox transfers whose order refs start with
  ``ORD-LIVE`` (one per outcome to show: e.g. one cancelled by the sender for "needs review");
  it accepts them all as one batch, waits for the end, and shoots the panel with its summary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtWidgets import QWidget
from shots_wait import reloaded, until

from app.domain.states import Status
from ui.main_window import MainWindow

Shot = Callable[[QWidget, str], None]


async def _search(window: MainWindow, text: str) -> None:
    queue = window.queue
    queue.search_edit.setText(text)
    await reloaded(queue, lambda: queue.set_query(replace(queue.query, text=text)))


async def shoot_queue_chips(window: MainWindow, shot: Shot) -> None:
    """The open queue (chips and icons), the Due column narrowed to its short form."""
    queue = window.queue
    await reloaded(queue, lambda: queue.apply_view("All open"))  # four statuses mixed
    await until(lambda: queue.model.rowCount() > 0, "open rows")
    queue.table.setColumnWidth(0, 150)
    queue.table.setColumnWidth(1, 70)  # narrow: "in 3 h", "-23 h"
    queue.select_row(1)
    await asyncio.sleep(0.3)
    shot(queue, "queue-chips")


async def shoot_run_panel_wide(window: MainWindow, shot: Shot) -> None:
    """The run panel with the live frame across its width (call while a run streams frames)."""
    window.tabs.setCurrentWidget(window.run_panel)
    await until(lambda: window.run_panel.frames_shown >= 1, "a live frame")
    shot(window.run_panel, "run-panel-wide")


async def shoot_frame_zoom(window: MainWindow, shot: Shot) -> None:
    """The newest frame at 100 % in its own scrollable window."""
    panel = window.run_panel
    window.tabs.setCurrentWidget(panel)
    panel.frame_label.open_zoom()
    zoom = panel.frame_label.zoom
    await until(lambda: not zoom.image.pixmap().isNull(), "the zoomed frame")
    await asyncio.sleep(0.3)
    shot(zoom, "run-frame-zoom")
    zoom.close()


async def shoot_batch_summary(window: MainWindow, shot: Shot) -> None:
    """A batch over every ``ORD-LIVE`` transfer, ended: counts and links to each transfer."""
    await _search(window, "ORD-LIVE")
    queue, panel = window.queue, window.run_panel
    rows = [queue.model.row_object(r) for r in range(queue.model.rowCount())]
    rows = [row for row in rows if row.status is Status.NOTICE_RECEIVED]
    window.tabs.setCurrentWidget(panel)
    await panel.run_batch(rows)
    await asyncio.sleep(0.5)
    panel.scroll_area.ensureWidgetVisible(panel.summary)
    shot(panel, "run-batch-summary")
