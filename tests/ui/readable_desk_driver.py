"""The readable queue and the run panel's live frame in a REAL window (xcb under Xvfb).

``python -m tests.ui.readable_desk_driver DATABASE_URL`` opens the queue on the database (with
the status chips and the Due delegate installed as the desk installs them), paints it in the
light and the dark palette, narrows the Due column, asks a cell for its tooltip as a hover
does, then opens a run panel at two widths with a 1280x800 live frame, clicks the frame and
closes the zoom with Esc. It prints one JSON line with what the window painted (colours read
back from grabs of the cells, sizes in logical and device pixels). Run it with
``QT_SCALE_FACTOR=1.5`` for 150 % scaling. Used by tests/ui/test_readable_desk_window.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import qasync
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QHelpEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from app.db.engine import make_engine
from app.desk.api import DEFAULT_VIEW
from app.desk.service_backend import ServiceBackend
from app.domain.states import Status
from tests.ui.settle import delete_later_now, settle_layout, settle_paint
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.due_display import DueDelegate
from ui.queue_model import COL_DUE, COL_STATUS, DueTextsRole
from ui.queue_view import QueueWidget
from ui.run_panel import RunPanel
from ui.status_chip import CHIP_COLOURS, install_queue_delegates, is_dark_palette
from ui.theme import apply_theme, dark_palette

PAGE = (1280, 800)


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Spin the loop until ``predicate`` holds (SystemExit after ``timeout`` s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.02)


def _share(image: QImage, colour: QColor) -> float:
    """Share of ``image``'s pixels within 6 of ``colour`` on every channel."""
    hits = total = 0
    for y in range(0, image.height()):
        for x in range(0, image.width()):
            pixel = image.pixelColor(x, y)
            total += 1
            if max(abs(pixel.red() - colour.red()), abs(pixel.green() - colour.green()),
                   abs(pixel.blue() - colour.blue())) <= 6:
                hits += 1
    return hits / max(total, 1)


def _page_jpeg() -> bytes:
    """A 1280x800 'page' with fine text-like detail."""
    image = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(image)
    for y in range(20, PAGE[1], 24):
        draw.text((20, y), "Section 101  Row F  Seats 5-6  Accept transfer " * 4, fill="black")
    draw.rectangle((1000, 40, 1240, 100), fill="#1a73e8")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def queue_part(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    queue = QueueWidget(ServiceBackend(engine, "Dana (desk 3)"), executor, tasks)
    install_queue_delegates(queue.table)
    queue.resize(1200, 500)
    queue.show()
    queue.set_query(replace(DEFAULT_VIEW, statuses=frozenset()))  # every status
    await until(lambda: queue.model.rowCount() > 0 and not tasks.running("queue-load"))
    model, table = queue.model, queue.table
    table.setColumnWidth(COL_STATUS, 160)
    rows = {model.row_object(r).status: r for r in range(model.rowCount())}
    shown: dict[str, Any] = {"platform": QGuiApplication.platformName(),
                             "ratio": queue.devicePixelRatioF(), "chips": {}}
    settle_paint()  # the new column width laid out and painted before the grabs
    dark = is_dark_palette(table.palette())
    for status in (Status.NEEDS_REVIEW, Status.VERIFIED, Status.NOTICE_RECEIVED):
        index = model.index(rows[status], COL_STATUS)
        table.scrollTo(index)
        cell = table.viewport().grab(table.visualRect(index)).toImage()
        light, dark_pair = CHIP_COLOURS[status]
        mine, other = (dark_pair, light) if dark else (light, dark_pair)
        shown["chips"][status.value] = {
            "fill_share": _share(cell, mine.fill), "ink_share": _share(cell, mine.ink),
            "other_variant_share": _share(cell, other.fill), "dark": dark,
        }
    shown["due"] = await _due_texts(queue)
    index = model.index(rows[Status.NEEDS_REVIEW], COL_DUE)
    rect = table.visualRect(index)
    QToolTip.hideText()
    help_event = QHelpEvent(QEvent.Type.ToolTip, rect.center(),
                            table.viewport().mapToGlobal(rect.center()))
    QApplication.sendEvent(table.viewport(), help_event)
    await until(QToolTip.isVisible, timeout=5)
    shown["tooltip"] = QToolTip.text()
    QToolTip.hideText()
    queue.close()
    queue.deleteLater()
    delete_later_now()
    executor.shutdown(wait=True)
    engine.dispose()
    return shown


async def _due_texts(queue: QueueWidget) -> dict[str, Any]:
    """The Due text painted at a wide and at a narrow column, for the first row."""
    table, model = queue.table, queue.model
    delegate = table.itemDelegateForColumn(COL_DUE)
    assert isinstance(delegate, DueDelegate)
    index = model.index(0, COL_DUE)
    texts: dict[str, Any] = {"model": str(index.data()), "variants": index.data(DueTextsRole)}
    for name, width in (("wide", 220), ("narrow", 56)):
        table.setColumnWidth(COL_DUE, width)
        table.scrollTo(index)
        settle_paint()  # the resize's own repaint first
        table.viewport().repaint(table.visualRect(index))  # paints this one cell, now
        texts[name] = delegate.last_painted
    return texts


async def frame_part() -> dict[str, Any]:
    panel = RunPanel(None, ServiceExecutor(1), TaskGroup())
    panel.resize(900, 700)
    panel.show()
    view = panel.frame_label
    shown: dict[str, Any] = {"ratio": view.devicePixelRatioF(), "widths": []}
    jpeg = _page_jpeg()
    for width in (900, 600):
        panel.resize(width, 700)
        panel.show_frame(jpeg)
        await until(lambda: (pixmap := view.pixmap()) is not None
                    and pixmap.size() == view.device_size())
        settle_layout()
        pixmap = view.pixmap()
        assert pixmap is not None
        viewport = panel.scroll_area.viewport()
        shown["widths"].append({
            "panel": width, "viewport": viewport.width(), "frame": [view.width(), view.height()],
            "pixmap": [pixmap.width(), pixmap.height()], "pixmap_ratio": pixmap.devicePixelRatio(),
            "device": [view.device_size().width(), view.device_size().height()],
            "scrollbar": panel.scroll_area.verticalScrollBar().isVisible(),
        })
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2, 20))
    zoom = panel.frame_label.zoom
    await until(lambda: zoom.isVisible() and zoom.image.pixmap() is not None
                and not zoom.image.pixmap().isNull())
    zoomed = zoom.image.pixmap()
    shown["zoom"] = {
        "visible": zoom.isVisible(), "image": [zoom.image.width(), zoom.image.height()],
        "pixmap": [zoomed.width(), zoomed.height()], "window": [zoom.width(), zoom.height()],
        "scrollable": zoom.scroll_area.horizontalScrollBar().maximum() > 0
        or zoom.scroll_area.verticalScrollBar().maximum() > 0,
        "modal": zoom.isModal(),
    }
    zoom.activateWindow()
    await until(lambda: QApplication.activeWindow() is zoom or zoom.isActiveWindow(), 5)
    QTest.keyClick(zoom, Qt.Key.Key_Escape)
    await until(lambda: not zoom.isVisible(), timeout=5)
    shown["zoom"]["closed_by_esc"] = not zoom.isVisible()
    panel.shutdown()
    panel.close()
    panel.deleteLater()
    delete_later_now()
    return shown


async def drive(url: str, app: QApplication) -> dict[str, Any]:
    """The queue in light and dark mode, then the frame; returns what the windows showed."""
    light = await queue_part(url)
    app.setPalette(dark_palette())  # as the desk starts in dark mode: before its widgets
    dark = await queue_part(url)
    app.setPalette(app.style().standardPalette())
    return {"queue": light, "dark_queue": dark, "frame": await frame_part()}


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_theme(app, force_dark=False)
    app.setQuitOnLastWindowClosed(False)  # one window after another
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        print(json.dumps(loop.run_until_complete(drive(sys.argv[1], app))))


if __name__ == "__main__":
    main()
