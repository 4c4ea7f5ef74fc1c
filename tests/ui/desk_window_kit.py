"""The desk's main window for the real-window driver: one window over the database (real
backend, change feed and run control) and the mouse, keyboard and menu moves the scenarios make.

Every QTest input runs from the Qt loop (:func:`on_qt`), never inside an asyncio task step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QContextMenuEvent, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QToolTip

from app.changefeed import ChangeFeed
from app.config import load_settings
from app.db.engine import make_engine
from app.desk.action_rules import Command
from app.desk.service_backend import ServiceBackend
from app.events import EventBus
from automation.runs.desk_control import DeskRunControl
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


class UrlRecorder(QObject):
    """Takes the http(s) URLs the desk hands to the system browser (Qt's URL handler hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


async def on_qt(call: Callable[[], object]) -> None:
    """Run ``call`` (a QTest input, which spins the event loop itself) from the Qt loop, never
    inside an asyncio task step: a nested loop there would re-enter other tasks."""
    done = asyncio.get_running_loop().create_future()

    def fire() -> None:
        call()
        if not done.done():
            done.set_result(None)

    QTimer.singleShot(0, fire)
    await done


async def until(predicate: Callable[[], object], what: str | Callable[[], str],
                timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {what if isinstance(what, str) else what()}")
        await asyncio.sleep(0.02)


class Desk:
    """One window over the database, with what the scenarios need to reach into."""

    def __init__(self, url: str, work: Path) -> None:
        self.work = work
        self.engine = make_engine(url)
        self.backend = ServiceBackend.connect(self.engine, actor_name="Robin (desk 5)")
        settings = load_settings(work / "none.toml",
                                 environ={"TRANSFERDESK_DATA_DIR": str(work / "data")})
        self.bus = EventBus()
        self.control = DeskRunControl(settings, url, self.bus, self.backend.worker_id)
        self.feed = ChangeFeed(url, self.bus)
        self.window = MainWindow(settings, backend=self.backend, bus=self.bus,
                                 run_control=self.control)

    async def open(self, rows: int) -> MainWindow:
        self.feed.start()
        self.window.show()
        self.window.activateWindow()
        await self.window.start()
        await until(lambda: self.window.queue.model.rowCount() == rows, f"{rows} rows")
        await until(self.window.isActiveWindow, "an active window")
        return self.window

    async def close(self) -> None:
        win = self.window
        win.close()
        await until(lambda: win.shutdown is not None and win.shutdown.finished.is_set(),
                    "the window's shutdown", timeout=60)
        win.executor.shutdown(wait=True)
        self.feed.stop()
        self.control.close()
        self.engine.dispose()

    # --- helpers --------------------------------------------------------------------------
    def row_of(self, ref: str) -> int:
        model = self.window.queue.model
        return next(i for i in range(model.rowCount()) if model.row_object(i).order_ref == ref)

    async def select(self, *refs: str) -> None:
        """Click the first row, Ctrl+click the others; wait for the detail and the verdicts."""
        win = self.window
        table = win.queue.table
        for n, ref in enumerate(refs):
            rect = table.visualRect(win.queue.model.index(self.row_of(ref), 1))
            modifier = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier(0)
            await on_qt(lambda m=modifier, r=rect: QTest.mouseClick(table.viewport(), LEFT, m,
                                                                     r.center()))
        current = refs[0] if len(refs) == 1 else None
        await until(lambda: win.queue.current_row() is not None, "a current row")
        if current is not None:
            await until(lambda: (d := win.detail.detail) is not None
                        and d.transfer.row.order_ref == current, f"the detail of {current}")
        await self.settled()

    async def settled(self) -> None:
        """Recompute the verdicts now (as the coalesced refresh does next loop)."""
        self.window.commands.refresh()

    async def toolbar_click(self, command: Command) -> None:
        toolbar = self.window.toolbar
        assert toolbar is not None
        button = toolbar.widgetForAction(self.window.commands.actions[command])
        await on_qt(lambda: QTest.mouseClick(button, LEFT))

    async def menu_click(self, command: Command) -> None:
        """Open Transfer in the menu bar with the mouse and click the command's item."""
        win = self.window
        menu = win.transfer_menu
        assert menu is not None
        bar = win.menuBar()
        await on_qt(lambda: QTest.mouseClick(bar, LEFT, Qt.KeyboardModifier(0),
                                             bar.actionGeometry(menu.menuAction()).center()))
        await until(menu.isVisible, "the Transfer menu")
        await self._click_item(menu, command)

    async def context_click(self, command: Command, ref: str) -> None:
        """Right-click the row (the platform's context-menu event) and click the item."""
        win = self.window
        table = win.queue.table
        centre = table.visualRect(win.queue.model.index(self.row_of(ref), 2)).center()
        await on_qt(lambda: QTest.mouseClick(table.viewport(), Qt.MouseButton.RightButton,
                                             Qt.KeyboardModifier(0), centre))
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre,
                                  table.viewport().mapToGlobal(centre))
        await on_qt(lambda: QCoreApplication.sendEvent(table.viewport(), event))
        await until(lambda: win.queue.context_menu is not None
                    and win.queue.context_menu.isVisible(), "the context menu")
        menu = win.queue.context_menu
        assert menu is not None
        await self._click_item(menu, command)

    async def _click_item(self, menu: QMenu, command: Command) -> None:
        action = self.window.commands.actions[command]
        geometry = menu.actionGeometry(action)
        await on_qt(lambda: QTest.mouseMove(menu, geometry.center()))
        await on_qt(lambda: QTest.mouseClick(menu, LEFT, Qt.KeyboardModifier(0),
                                             geometry.center()))
        await until(lambda: not menu.isVisible(), "the menu to close")

    def shown_tooltip(self, command: Command) -> str:
        """Hover the toolbar button (a tooltip event) and read the tooltip Qt shows."""
        toolbar = self.window.toolbar
        assert toolbar is not None
        button = toolbar.widgetForAction(self.window.commands.actions[command])
        centre = QPoint(button.width() // 2, button.height() // 2)
        QCoreApplication.sendEvent(button, QHelpEvent(QEvent.Type.ToolTip, centre,
                                                      button.mapToGlobal(centre)))
        return QToolTip.text() if QToolTip.isVisible() else ""


