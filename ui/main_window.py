"""The composition root of the desk: builds the widgets and wires them together.

Owns the window's parts (alarms banner, queue, tabs for detail, run panel, notices, escrow) and
their wiring to the bridge (core events), the executor (service calls) and the actions. The
connection lifecycle is :mod:`ui.connection`, menus and keys :mod:`ui.window_actions`, the
shutdown order :mod:`ui.shutdown`; browser runs are :mod:`automation.runs.desk_control`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.changefeed import ChangeFeed, TransferChanged
from app.config import Settings
from app.desk.api import DeskBackend
from app.errors import KnownError
from app.events import EventBus
from automation.runs.desk_control import DeskRunControl, RunControl
from automation.runs.events import RunFinished
from ui import desk_windows
from ui.alarms_banner import AlarmsBanner
from ui.bridge import EventBridge, FeedChange
from ui.connection import DeskConnection
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.deadline_desk import DeadlineNotices
from ui.desk_upkeep import DeskUpkeep
from ui.detail_pane import DetailPane
from ui.help_overlay import HelpOverlay
from ui.queue_view import QueueWidget
from ui.run_panel import RunPanel
from ui.shutdown import BackgroundShutdown, close_in_order
from ui.transfer_actions import TransferActions
from ui.transfer_commands import TransferCommands
from ui.window_actions import build_menus, build_shortcuts
from ui.window_layout import (
    WindowLayout,
    keep_on_screen,
    restore_geometry,
    restore_layout,
    save_layout,
    steady_splitter,
)

if TYPE_CHECKING:
    from app.desk.service_backend import ServiceBackend
    from ui.dead_letters_view import DeadLettersView
    from ui.import_dialog import ImportOrdersDialog
    from ui.override_dialog import OverrideDialog

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Top-level window of TransferDesk.

    Args:
        settings: loaded settings.
        backend: the core services (None: built in :meth:`connect_database`).
        bus: the core event bus shared with the change feed and the runner.
        run_control: starts browser runs (None: the run panel says automation is unavailable).

    Signals:
        closed: the window closed for real, after the background shutdown (the application
            quits on it: the hidden window no longer counts as Qt's last window).
    """

    closed = Signal()

    def __init__(
        self, settings: Settings, backend: DeskBackend | None = None,
        bus: EventBus | None = None, run_control: RunControl | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self.backend = backend
        self.bus = bus or EventBus()
        self.executor = ServiceExecutor(max_workers=4)
        self.tasks = TaskGroup(on_error=self.show_error)
        self.bridge = EventBridge(self.bus, self)
        self._run_control = run_control
        self._closers: list[Callable[[], object]] = []
        self.connection: DeskConnection[ServiceBackend] = DeskConnection(
            self.executor, self._open_backend)
        self._close_task: asyncio.Task[None] | None = None
        self.built = False  # True once the widgets exist (a backend is connected)
        self.dead_letters: DeadLettersView | None = None  # with a database backend only
        self.import_orders_action: QAction | None = None
        self.import_dialog: ImportOrdersDialog | None = None  # the last one opened
        self.shutdown: BackgroundShutdown | None = None  # set by the first closeEvent
        self.transfer_menu: QMenu | None = None  # set with the widgets (window_actions)
        self.toolbar: QToolBar | None = None
        self.setWindowTitle("TransferDesk")
        restore_geometry(self)
        self.statusBar().showMessage("Connecting to the database…")
        if backend is not None:
            self._build(backend)

    # --- building -------------------------------------------------------------------------
    def _build(self, backend: DeskBackend) -> None:
        self.backend = backend
        self.built = True
        self.alarms = AlarmsBanner()
        self.queue = QueueWidget(backend, self.executor, self.tasks)
        self.detail = DetailPane(backend, self.executor, self.tasks)
        self.run_panel = RunPanel(self._run_control, self.executor, self.tasks)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.detail, "Detail")
        self.tabs.addTab(self.run_panel, "Run")
        from ui.notices_view import NoticesView

        self.notices = NoticesView(backend, self.executor, self.tasks)
        self.tabs.addTab(self.notices, "Unmatched notices")
        from ui.escrow_view import EscrowProblemsView

        self.escrow = EscrowProblemsView(backend, self.executor, self.tasks)
        self.tabs.addTab(self.escrow, "Escrow problems")
        # The tabs' pages grow their minimum width with what they show (a long venue, a
        # prompt): inside a scroll area that never moves the splitter, it scrolls instead.
        side = QScrollArea()
        side.setWidget(self.tabs)
        side.setWidgetResizable(True)
        side.setFrameShape(QScrollArea.Shape.NoFrame)
        self.splitter = steady_splitter(self.queue, side, self.width())
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.alarms)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.help = HelpOverlay(self)

        self.queue.current_changed.connect(self.detail.show_transfer)
        self.queue.loaded.connect(self._queue_loaded)
        self.bridge.transfer_changed.connect(self.queue.on_transfer_changed)
        self.bridge.transfer_changed.connect(self._maybe_refresh_detail)
        self.bridge.run_finished.connect(self._on_run_finished)
        self.run_panel.follow(self.bridge)
        self.run_panel.transfer_requested.connect(self.queue.show_transfer)
        self.bridge.alarm_raised.connect(lambda _event: self.refresh_alarms())
        self.transfer_actions = TransferActions(self, backend)
        self.run_panel.accept_button.clicked.connect(self.transfer_actions.accept_current)
        self.run_panel.batch_button.clicked.connect(self.transfer_actions.accept_selected)
        from app.desk.service_backend import desk_worker_id

        self.commands = TransferCommands(self, desk_worker_id())
        self.queue.set_context_menu(self.commands.context_menu)
        build_menus(self)
        self.shortcuts = build_shortcuts(self)
        # first run + accounts: the first-steps panel in the main area, View > Portal accounts
        from ui.first_run import FirstRun

        self.first_run = FirstRun(self, self._settings, backend)
        layout.insertWidget(1, self.first_run.panel)
        desk_windows.add_accounts_action(self, self._settings)
        self.upkeep = DeskUpkeep(backend, self.executor, self.tasks, self.alarms,
                                 DeadlineNotices(self.bus), self.statusBar(), self.show_error)
        keep_on_screen(self)  # the toolbar may have widened the window past the screen's edge
        restore_layout(self.layout_parts())

    # --- startup --------------------------------------------------------------------------
    async def connect_database(self) -> None:
        """Resolve (and on first use start) the database off the GUI thread, then load.

        Closing the window meanwhile cancels the connection (see :mod:`ui.connection`) and this
        returns quietly; a connection that completes after that is released at once.
        """
        if self.backend is not None:
            await self.start()
            return
        try:
            await self.connection.connect(self._connected)
        except KnownError as exc:
            self.statusBar().showMessage(f"Database unavailable: {exc}")

    def _open_backend(self) -> tuple[str, ServiceBackend]:
        """On the executor thread: the database URL and this desk's backend (blocking)."""
        from app.desk.service_backend import ServiceBackend

        return ServiceBackend.open_for_desk(self._settings)

    async def _connected(self, url: str, backend: ServiceBackend) -> None:
        """The connection is this window's now: build, start the feed and run control, load."""
        if self._run_control is None:
            control = DeskRunControl(self._settings, url, self.bus, backend.worker_id)
            self._run_control = control
            self._closers.append(control.close)
        self._closers.append(backend.stop)
        self._closers.append(backend.engine.dispose)  # the engine is this window's
        self._build(backend)
        self._start_change_feed(url)
        await self.start()

    async def start(self) -> None:
        """Load accounts, the first queue page and alarms (backend already set)."""
        assert self.backend is not None
        await self.queue.load_accounts()
        self.detail.account_names = self.queue.model.account_names
        self.queue.reload()
        self.upkeep.start()
        self.tasks.spawn(self.notices.reload())
        self.tasks.spawn(self.escrow.reload())

    def _start_change_feed(self, url: str) -> None:
        feed = ChangeFeed(url, self.bus)
        feed.start()
        self._closers.append(feed.stop)

    # --- actions --------------------------------------------------------------------------
    def open_override(self) -> OverrideDialog | None:
        """Open the manual decision dialog for the current transfer (non-modal)."""
        return self.transfer_actions.open_override()

    def open_settings(self) -> None:
        """Open the settings dialog (non-modal)."""
        desk_windows.open_settings(self, self._settings)

    def open_assisted_lane(self) -> None:
        """Show the assisted lane (transfers a person accepts in their own browser)."""
        desk_windows.open_assisted_lane(self, self._settings)

    def open_dashboard(self) -> None:
        """Show the dashboard window."""
        desk_windows.open_dashboard(self)

    @property
    def has_automation(self) -> bool:
        """Whether this desk can run the browser (a run control exists)."""
        return self._run_control is not None

    def layout_parts(self) -> WindowLayout:
        """What :mod:`ui.window_layout` saves and restores."""
        return WindowLayout(self, self.splitter if self.built else None,
                            self.queue.table.horizontalHeader() if self.built else None)

    def refresh_alarms(self) -> None:
        """Reload open alarms into the banner (see :class:`ui.desk_upkeep.DeskUpkeep`)."""
        self.upkeep.refresh_alarms()

    def desk_heartbeat(self) -> None:
        """Beat this desk's workers row."""
        self.upkeep.heartbeat()

    # --- events ---------------------------------------------------------------------------
    def _maybe_refresh_detail(self, event: FeedChange) -> None:
        shown = self.detail.detail
        if (shown is not None and isinstance(event, TransferChanged)
                and event.id == shown.transfer.row.id):
            self.detail.refresh()

    def _on_run_finished(self, event: RunFinished) -> None:
        self.statusBar().showMessage(f"Run for transfer {event.transfer_id}: {event.outcome}", 8000)

    def _queue_loaded(self, seconds: float) -> None:
        self.statusBar().showMessage(f"Queue loaded in {seconds * 1000:.0f} ms", 3000)

    def show_error(self, exc: BaseException) -> None:
        """Known problems go to the status bar; anything else is a bug dialog."""
        if isinstance(exc, KnownError):
            self.statusBar().showMessage(str(exc), 10000)
            return
        log.error("unexpected error", exc_info=exc)
        box = QMessageBox(QMessageBox.Icon.Critical, "TransferDesk: unexpected error",
                          f"{type(exc).__name__}: {exc}", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- shutdown -------------------------------------------------------------------------
    async def _close_after_connecting(self) -> None:
        """Await the cancelled connection, release what it left, then close for real."""
        await self.connection.released()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Close in order: stop connecting first; then hide and shut down in the background."""
        if self.connection.cancel():  # still connecting: stop that first
            event.ignore()
            self.statusBar().showMessage("Closing…")
            if self._close_task is None:
                self._close_task = asyncio.get_event_loop().create_task(
                    self._close_after_connecting(), name="close-after-connecting")
            return
        if self.shutdown is not None and not self.shutdown.finished.is_set():
            event.ignore()  # already closing in the background
            return
        if self.shutdown is None:
            save_layout(self.layout_parts())
            # the executor drains first (on the closing thread): a call still running holds a
            # pooled connection that disposing the engine under it would leak
            self.shutdown = close_in_order(self._gui_closing_steps(),
                                           [self._drain_executor, *self._closers], self.close)
            event.ignore()
            return
        super().closeEvent(event)
        self.closed.emit()

    def _drain_executor(self) -> None:
        """Drop queued calls and wait for running ones (blocking: a closer)."""
        self.executor.shutdown(wait=True)

    def _gui_closing_steps(self) -> list[Callable[[], object]]:
        """What stops on the GUI thread before the blocking closers run (in this order)."""
        steps: list[Callable[[], object]] = []
        if self.built:
            steps += [self.upkeep.stop,  # no new alarm polls or heartbeats while closing
                      self.run_panel.abort, self.run_panel.shutdown, self.detail.shutdown]
        # closers block (browser, feed, database): the window hides, they run on a thread
        return [*steps, self.tasks.cancel_all, self.bridge.close, self.hide]
