"""The main window: alarms banner, the queue, and tabs for detail, run panel and notices.

Composition only: each part is its own widget; this window wires them to the bridge (core
events), the executor (service calls) and the keyboard shortcuts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.changefeed import TransferChanged
from app.config import Settings
from app.errors import KnownError
from app.events import EventBus
from automation.runs.desk_control import RunControl
from automation.runs.events import RunFinished
from ui.alarms_banner import AlarmsBanner
from ui.backend import SAVED_VIEWS, DeskBackend
from ui.bridge import EventBridge, FeedChange
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.deadline_desk import DeadlineNotices
from ui.detail_pane import DetailPane
from ui.help_overlay import HelpOverlay
from ui.queue_view import QueueWidget
from ui.run_panel import RunPanel
from ui.shutdown import BackgroundShutdown

log = logging.getLogger(__name__)
ALARM_POLL_MS = 30_000


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
        self._closers: list[Any] = []
        self._connect_task: asyncio.Task[Any] | None = None
        self._close_task: asyncio.Task[Any] | None = None
        self._connect_lock = threading.Lock()
        self._closing = False
        self._connected: tuple[str, Any] | None = None  # made by the connect thread, not yet used
        self._dialogs: list[QWidget] = []
        self.shutdown: BackgroundShutdown | None = None  # set by the first closeEvent
        self.setWindowTitle("TransferDesk")
        self.resize(1360, 860)
        self.statusBar().showMessage("Connecting to the database…")
        if backend is not None:
            self._build(backend)

    # --- building -------------------------------------------------------------------------
    def _build(self, backend: DeskBackend) -> None:
        self.backend = backend
        self.alarms = AlarmsBanner()
        self.alarms.resume_site.connect(self.resume_site)
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
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.tabs)
        self.splitter.setSizes([820, 540])
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
        self.bridge.alarm_raised.connect(lambda _event: self.refresh_alarms())
        self.run_panel.accept_button.clicked.connect(self.accept_current)
        self.run_panel.batch_button.clicked.connect(self.accept_selected)
        self._build_menus()
        self._build_shortcuts()
        self._alarm_timer = QTimer(self, interval=ALARM_POLL_MS)
        self._alarm_timer.timeout.connect(self.refresh_alarms)
        self._alarm_timer.timeout.connect(self.desk_heartbeat)  # same 30 s cadence
        self._alarm_timer.timeout.connect(self.sweep_deadlines)
        self.deadline_notices = DeadlineNotices(self.bus)
        self.restore_layout()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        settings_action = QAction("&Settings…", self)
        settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(settings_action)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        from ui.marketplace_wiring import add_marketplace_parts

        add_marketplace_parts(self, file_menu)
        view_menu = self.menuBar().addMenu("&View")
        for name in SAVED_VIEWS:
            action = QAction(name, self)
            action.triggered.connect(lambda _=False, n=name: self.queue.view_box.setCurrentText(n))
            view_menu.addAction(action)
        dashboard_action = QAction("&Dashboard", self)
        dashboard_action.triggered.connect(self.open_dashboard)
        view_menu.addAction(dashboard_action)
        lane_action = QAction("&Assisted lane", self)
        lane_action.setShortcut("Ctrl+L")
        lane_action.triggered.connect(self.open_assisted_lane)
        view_menu.addAction(lane_action)
        help_action = QAction("&Keyboard shortcuts", self)
        help_action.triggered.connect(lambda: self.help.toggle())
        self.menuBar().addMenu("&Help").addAction(help_action)

    def _build_shortcuts(self) -> None:
        views = list(SAVED_VIEWS)
        bindings: list[tuple[str, Any]] = [
            ("J", lambda: self.queue.move_cursor(1)),
            ("K", lambda: self.queue.move_cursor(-1)),
            ("A", self.accept_current),
            ("Shift+A", self.accept_selected),
            ("O", self.open_override),
            ("C", self.claim_current),
            ("R", self.release_current),
            ("/", self.focus_search),
            ("F5", lambda: self.queue.reload()),
            ("?", lambda: self.help.toggle()),
            ("Esc", self._escape),
        ] + [(str(i + 1), lambda n=name: self.queue.view_box.setCurrentText(n))
             for i, name in enumerate(views)]
        self.shortcuts: dict[str, QShortcut] = {}
        for keys, slot in bindings:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
            self.shortcuts[keys] = shortcut

    # --- startup --------------------------------------------------------------------------
    async def connect_database(self) -> None:
        """Resolve (and on first use start) the database off the GUI thread, then load.

        The work runs in its own task, kept here: closing the window meanwhile cancels and
        awaits it (see :meth:`closeEvent`) and this returns quietly; a connection that completes
        after that is released at once.
        """
        task = asyncio.get_event_loop().create_task(self._connect(), name="connect-database")
        self._connect_task = task
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and self._closing and not (current and current.cancelling()):
                return  # the window closed while connecting
            raise

    async def _connect(self) -> None:
        if self.backend is None:
            from ui.services import ServiceBackend

            def work() -> tuple[str, Any] | None:
                url, backend = ServiceBackend.open_for_desk(self._settings)
                with self._connect_lock:
                    if not self._closing:
                        self._connected = (url, backend)
                        return url, backend
                backend.shut_down()  # the window closed meanwhile: nobody will use it
                return None

            try:
                connected = await self.executor.call(work)
            except KnownError as exc:
                self.statusBar().showMessage(f"Database unavailable: {exc}")
                return
            if connected is None:
                return
            url, backend = connected
            with self._connect_lock:
                self._connected = None  # this window owns it now
            if self._run_control is None:
                from automation.runs.desk_control import DeskRunControl

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
        self.refresh_alarms()
        self.sweep_deadlines()
        self._alarm_timer.start()
        self.tasks.spawn(self.notices.reload())
        self.tasks.spawn(self.escrow.reload())

    def _start_change_feed(self, url: str) -> None:
        try:
            from app.changefeed import ChangeFeed
        except ImportError:  # pragma: no cover - the feed ships with the domain services
            log.warning("no change feed: live updates are off")
            return
        feed = ChangeFeed(url, self.bus)
        feed.start()
        self._closers.append(feed.stop)

    # --- actions --------------------------------------------------------------------------
    def accept_current(self) -> None:
        """Accept the current transfer in the run panel."""
        row = self.queue.current_row()
        if row is not None:
            self.tabs.setCurrentWidget(self.run_panel)
            self.run_panel.start([row])

    def accept_selected(self) -> None:
        """Accept every selected transfer, one after another."""
        rows = self.queue.selected_rows()
        if rows:
            self.tabs.setCurrentWidget(self.run_panel)
            self.run_panel.start(rows)

    def open_override(self) -> Any:
        """Open the manual decision dialog for the current transfer (non-modal)."""
        from ui.override_dialog import OverrideDialog

        row = self.queue.current_row()
        if row is None or self.backend is None:
            return None
        dialog = OverrideDialog(row, self.backend, self.executor, self.tasks, self)
        dialog.decided.connect(lambda _result: self.detail.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def claim_current(self) -> None:
        """Claim the current transfer for this desk."""
        self._run_on_current("claim", "Claimed")

    def release_current(self) -> None:
        """Release this desk's claim on the current transfer."""
        self._run_on_current("release", "Released")

    def _run_on_current(self, method: str, done: str) -> None:
        row = self.queue.current_row()
        if row is None or self.backend is None:
            return

        async def work() -> None:
            result = await self.executor.call(getattr(self.backend, method), row.id)
            message = f"{done} {row.order_ref}" if result is not None else (
                f"{row.order_ref} is held by someone else")
            self.statusBar().showMessage(message, 5000)

        self.tasks.spawn(work(), name=f"{method}-{row.id}")

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.queue.search_edit.setFocus()
        self.queue.search_edit.selectAll()

    def _escape(self) -> None:
        if self.help.isVisible():
            self.help.hide()
        elif self.run_panel.running:
            self.run_panel.abort()

    def open_settings(self) -> None:
        """Open the settings dialog (non-modal)."""
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self.backend, self.executor, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_assisted_lane(self) -> None:
        """Show the assisted lane (transfers a person accepts in their own browser)."""
        from ui.assisted_lane import AssistedLaneView

        if self.backend is None:
            return
        desk = f"{self._settings.display_name or 'desk'}@{getattr(self.backend, 'worker_id', '')}"
        lane = AssistedLaneView(self.backend, self.executor, self.tasks, desk)
        lane.setParent(self, Qt.WindowType.Window)
        lane.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lane.resize(900, 520)
        lane.show()
        self.tasks.spawn(lane.reload())

    def open_dashboard(self) -> None:
        """Show the dashboard window."""
        from ui.dashboard import DashboardWindow

        if self.backend is None:
            return
        window = DashboardWindow(self.backend, self.executor, self.tasks, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        self.tasks.spawn(window.reload())

    def refresh_alarms(self) -> None:
        """Reload open alarms into the banner."""
        if self.backend is None:
            return
        backend = self.backend

        async def work() -> None:
            alarms = await self.executor.call(backend.alarms)
            self.alarms.set_alarms(alarms)
            self.deadline_notices.note(alarms)  # the tray shows new deadline warnings

        self.tasks.spawn(work(), name="alarms")

    def resume_site(self, site_url: str) -> None:
        """A supervisor ends a blocked site's pause (the service checks the role)."""
        if self.backend is None:
            return
        backend = self.backend

        async def work() -> None:
            try:
                await self.executor.call(backend.resume_site, site_url)
            except KnownError as exc:
                self.show_error(exc)
                return
            self.statusBar().showMessage(f"Automation of {site_url} resumed", 8000)
            self.refresh_alarms()

        self.tasks.spawn(work(), name="resume-site")

    def desk_heartbeat(self) -> None:
        """Beat this desk's workers row through the db executor (backends without one skip)."""
        beat = getattr(self.backend, "beat", None)
        if beat is None:
            return

        async def work() -> None:
            try:
                await self.executor.call(beat)
            except KnownError as exc:
                log.warning("desk heartbeat failed: %s", exc)

        self.tasks.spawn(work(), name="desk-heartbeat")

    def sweep_deadlines(self) -> None:
        """Sweep deadlines through the db executor when no server process does (see
        ui/deadline_desk.py); backends without a sweep skip."""
        sweep = getattr(self.backend, "sweep_deadlines", None)
        if sweep is None:
            return

        async def work() -> None:
            try:
                report = await self.executor.call(sweep)
            except KnownError as exc:
                log.warning("deadline sweep failed: %s", exc)
                return
            if report.expired or report.warned:
                self.refresh_alarms()

        self.tasks.spawn(work(), name="deadline-sweep")

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

    # --- layout persistence and shutdown --------------------------------------------------
    def restore_layout(self) -> None:
        """Restore geometry, splitter and column widths from QSettings."""
        store = QSettings()
        if (geometry := store.value("window/geometry")) is not None:
            self.restoreGeometry(geometry)
        if (state := store.value("window/splitter")) is not None:
            self.splitter.restoreState(state)
        if (header := store.value("queue/header")) is not None:
            self.queue.table.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        """Write geometry, splitter and column widths to QSettings."""
        store = QSettings()
        store.setValue("window/geometry", self.saveGeometry())
        if hasattr(self, "splitter"):
            store.setValue("window/splitter", self.splitter.saveState())
            store.setValue("queue/header", self.queue.table.horizontalHeader().saveState())

    async def _close_after_connecting(self, task: asyncio.Task[Any]) -> None:
        """Await the cancelled connect task, release what it left, then close for real."""
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:  # it failed on its own just before the cancel: closing anyway
            log.debug("connecting ended with an error while closing", exc_info=True)
        with self._connect_lock:
            leftover, self._connected = self._connected, None
        if leftover is not None:
            try:
                await self.executor.call(leftover[1].shut_down)
            except Exception as exc:  # the database went away: nothing left to mark
                log.warning("releasing the desk's connection failed: %s", exc)
        self.close()

    def closeEvent(self, event: Any) -> None:
        task = self._connect_task
        if task is not None and not task.done():  # still connecting: stop that first
            with self._connect_lock:
                self._closing = True
            task.cancel()
            event.ignore()
            self.statusBar().showMessage("Closing…")
            if self._close_task is None:
                self._close_task = asyncio.get_event_loop().create_task(
                    self._close_after_connecting(task), name="close-after-connecting")
            return
        if self.shutdown is not None and not self.shutdown.finished.is_set():
            event.ignore()  # already closing in the background
            return
        if self.shutdown is None:
            self.save_layout()
            if hasattr(self, "_alarm_timer"):
                self._alarm_timer.stop()  # no new alarm polls or heartbeats while closing
            if hasattr(self, "run_panel"):
                self.run_panel.abort()
                self.run_panel.shutdown()
                self.detail.shutdown()
            self.tasks.cancel_all()
            self.bridge.close()
            self.hide()  # closers block (browser, feed, database): never on the GUI thread
            self.shutdown = BackgroundShutdown([*self._closers, self.executor.shutdown],
                                               self.close)
            self.shutdown.start()
            event.ignore()
            return
        super().closeEvent(event)
        self.closed.emit()
