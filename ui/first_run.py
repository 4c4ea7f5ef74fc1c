"""First run: what a new desk still lacks, shown in the main area with a button per step.

Owns :class:`FirstRunPanel` (the three steps, each ticked when done: add a portal account,
connect the mailbox, import orders) and :class:`FirstRun`, which mounts it in the main window,
keeps it current from one backend call (:meth:`app.desk.api.DeskBackend.first_run`) and opens
the dialog of each step (Settings at the Portal accounts / Mailbox tab, File > Import orders).
While the desk has no orders the panel takes the main area (the empty queue is hidden); with
orders it is a strip above the queue. It goes away by itself when every step is done, and for
good when dismissed (remembered in QSettings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings, load_settings
from app.desk.api import DeskBackend, FirstRunState
from app.errors import KnownError
from ui.widgets import named

if TYPE_CHECKING:
    from ui.main_window import MainWindow

DISMISSED_KEY = "first_run/dismissed"
#: The steps' width when they take the whole main area.
FULL_WIDTH = 860
#: While steps remain, re-check this often (a password saved elsewhere, a CLI import).
RECHECK_MS = 10_000
#: Change-feed events come in bursts (an import): one re-check a second at most.
DEBOUNCE_MS = 1_000

_STEPS = (
    ("account", "Add a portal account",
     "The ticketing site account that receives the transfers, with its password in the OS "
     "keyring (Settings > Portal accounts > Add account…).",
     "Open portal accounts…"),
    ("mailbox", "Connect the mailbox",
     "The IMAP mailbox that receives the portal's transfer notices and sign-in codes.",
     "Connect the mailbox…"),
    ("orders", "Import orders",
     "The marketplace orders whose tickets are transferred to you (CSV or JSON lines).",
     "Import orders…"),
)


class FirstRunPanel(QFrame):
    """The three first steps, each with a tick when done and a button that opens its dialog.

    Signals:
        step_requested(str): a step's button was pressed ("account", "mailbox", "orders").
        dismissed(): the operator dismissed the panel.
    """

    step_requested = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        self.setAccessibleName("First steps")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("<h2>Welcome to TransferDesk</h2>")
        self.intro = QLabel("Three steps and the desk is ready to accept transfers:")
        self.dismiss_button = named(QPushButton("Dismiss"), "Dismiss first steps")
        self.dismiss_button.setToolTip("Hide these steps for good")
        self.dismiss_button.clicked.connect(self.dismissed.emit)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.ticks: dict[str, QLabel] = {}
        self.titles: dict[str, QLabel] = {}
        self.hints: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        for row, (key, title, hint, button_text) in enumerate(_STEPS):
            tick = named(QLabel(), f"{title} done")
            heading = QLabel(f"<b>{row + 1}. {title}</b>")
            explained = QLabel(hint, wordWrap=True)
            explained.setStyleSheet("color: palette(placeholder-text)")
            button = named(QPushButton(button_text), button_text.rstrip("…"))
            button.clicked.connect(lambda _=False, k=key: self.step_requested.emit(k))
            text = QVBoxLayout()
            text.addWidget(heading)
            text.addWidget(explained)
            grid.addWidget(tick, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(text, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.ticks[key], self.titles[key], self.hints[key] = tick, heading, explained
            self.buttons[key] = button
        self.body = QWidget()  # readable line lengths on a wide window
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(head)
        body.addWidget(self.intro)
        body.addLayout(grid)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.body, 100)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(centred)
        self.filler = QWidget()
        layout.addWidget(self.filler, 1)
        self.state: FirstRunState | None = None

    def show_state(self, state: FirstRunState) -> None:
        """Tick the steps done; the first step not done gets the focus."""
        self.state = state
        done = {"account": state.accounts > 0, "mailbox": state.mailbox is not None,
                "orders": state.has_orders}
        mark = {True: QStyle.StandardPixmap.SP_DialogApplyButton,
                False: QStyle.StandardPixmap.SP_ArrowRight}
        for key, is_done in done.items():
            icon = self.style().standardIcon(mark[is_done])
            self.ticks[key].setPixmap(icon.pixmap(24, 24))
            self.ticks[key].setAccessibleDescription("done" if is_done else "to do")
            self.buttons[key].setDefault(False)
        self.ticks["account"].setToolTip(f"{state.accounts} portal account(s)")
        self.ticks["mailbox"].setToolTip(f"mailbox {state.mailbox}" if state.mailbox
                                         else "no mailbox with a stored password")
        self.ticks["orders"].setToolTip("orders imported" if state.has_orders
                                        else "no order yet")
        left = [key for key, is_done in done.items() if not is_done]
        self.intro.setText("Every step is done." if not left else
                           f"{len(left)} of 3 steps left before the desk can accept transfers:")
        if left:
            self.buttons[left[0]].setDefault(True)

    def set_compact(self, compact: bool) -> None:
        """A strip above the queue (True) or the whole main area (False)."""
        for hint in self.hints.values():
            hint.setVisible(not compact)
        self.title.setText("<b>First steps</b>" if compact
                           else "<h2>Welcome to TransferDesk</h2>")
        self.filler.setVisible(not compact)
        self.body.setMaximumWidth(16_777_215 if compact else FULL_WIDTH)


class FirstRun(QObject):
    """Mounts the panel in the main window and keeps it current (see the module docstring)."""

    def __init__(self, window: MainWindow, settings: Settings, backend: DeskBackend) -> None:
        super().__init__(window)
        self._window, self._settings, self._backend = window, settings, backend
        self.panel = FirstRunPanel()
        self.panel.hide()
        self.panel.step_requested.connect(self.open_step)
        self.panel.dismissed.connect(self.dismiss)
        self.timer = QTimer(self, interval=RECHECK_MS)
        self.timer.timeout.connect(self.schedule_refresh)
        self._debounce = QTimer(self, interval=DEBOUNCE_MS, singleShot=True)
        self._debounce.timeout.connect(self.schedule_refresh)
        window.bridge.transfer_changed.connect(lambda _event: self._debounce.start())
        # the first check runs once the window loads its queue (an event loop is running then)
        window.queue.loaded.connect(self._queue_loaded)
        self._checked = False
        self.dismissed = _truthy(QSettings().value(DISMISSED_KEY, False))

    def _queue_loaded(self, _seconds: float) -> None:
        if self._checked:
            self._debounce.start()
        else:
            self._checked = True
            self.schedule_refresh()

    def schedule_refresh(self) -> None:
        """Re-check the first-run state in the background (never once the window closes)."""
        if not self.dismissed and self._window.shutdown is None:
            self._window.tasks.spawn(self.refresh(), name="first-run")

    async def refresh(self) -> FirstRunState | None:
        """Ask the backend (off the GUI thread) and show or hide the panel."""
        executor = self._window.executor
        try:
            names = await executor.call(_mailbox_names, self._settings)
            state = await executor.call(self._backend.first_run, names)
        except KnownError as exc:
            self._window.statusBar().showMessage(f"First steps unavailable: {exc}", 8000)
            return None
        self.panel.show_state(state)
        self._show(not state.done and not self.dismissed, not state.has_orders)
        return state

    def _show(self, visible: bool, full: bool) -> None:
        self.panel.set_compact(not full)
        self.panel.setVisible(visible)
        if self._window.built:
            self._window.splitter.setVisible(not (visible and full))
        if visible:
            self.timer.start()
        else:
            self.timer.stop()

    def dismiss(self) -> None:
        """Hide the panel for good (this desk's QSettings)."""
        self.dismissed = True
        QSettings().setValue(DISMISSED_KEY, True)
        self._show(False, False)

    def open_step(self, step: str) -> None:
        """Open the dialog that does ``step``; re-check when it is closed or has imported."""
        from ui import desk_windows

        if step == "orders":
            action = self._window.import_orders_action
            if action is None:
                self._window.statusBar().showMessage(
                    "Import needs the database backend: transferdesk import FILE", 8000)
                return
            action.trigger()
            dialog = self._window.import_dialog
            if dialog is not None:
                dialog.imported.connect(lambda _n: self.schedule_refresh())
                dialog.finished.connect(lambda _r: self.schedule_refresh())
            return
        tab = "portal" if step == "account" else "mailbox"
        settings_dialog = desk_windows.open_settings(self._window, self._settings, tab)
        settings_dialog.finished.connect(lambda _r: self.schedule_refresh())
        settings_dialog.portal.account_added.connect(lambda _info: self.schedule_refresh())


def _mailbox_names(settings: Settings) -> Sequence[str]:
    """The configured mailboxes' names, re-read from config.toml (the Mailbox tab writes it
    while the desk runs); the start-up settings when the file cannot be read."""
    try:
        current = load_settings(settings.config_path)
    except KnownError:
        current = settings
    return [box.name for box in current.mailboxes]


def _truthy(value: object) -> bool:
    """QSettings' INI format returns "true"/"false" strings for booleans."""
    return value is True or str(value).lower() == "true"
