"""The triage commands as QActions: one per command, shared by the toolbar, the Transfer menu
and the queue's context menu, each showing its shortcut and, when disabled, why.

Owns the actions and their state; the verdicts are :func:`app.desk.action_rules.verdicts`
(Qt-free) and the behaviour is :class:`ui.transfer_actions.TransferActions`. The state is
recomputed (coalesced) when the selection, a loaded row, the detail shown or this desk's runs
change, and every 15 s (leases run out). A key pressed for a disabled command says why in the
status bar instead of doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QStyle, QToolBar, QWidget

from app.desk.action_rules import Command, DeskState, Selection, Verdict, verdicts
from ui.theme import standard_icon

if TYPE_CHECKING:
    from ui.main_window import MainWindow

REFRESH_EVERY_MS = 15_000


@dataclass(frozen=True)
class CommandLook:
    """How a command is shown: menu text, toolbar text, shortcut and icon."""

    text: str
    short: str
    keys: str
    icon: QStyle.StandardPixmap


LOOKS: dict[Command, CommandLook] = {
    Command.ACCEPT: CommandLook("&Accept", "Accept", "A",
                                QStyle.StandardPixmap.SP_DialogApplyButton),
    Command.ACCEPT_SELECTED: CommandLook("Accept &selected", "Accept selected", "Shift+A",
                                         QStyle.StandardPixmap.SP_DialogYesButton),
    Command.CLAIM: CommandLook("&Claim", "Claim", "C", QStyle.StandardPixmap.SP_ArrowRight),
    Command.RELEASE: CommandLook("&Release", "Release", "R", QStyle.StandardPixmap.SP_ArrowLeft),
    Command.DECIDE: CommandLook("&Manual decision…", "Decide…", "O",
                                QStyle.StandardPixmap.SP_FileDialogDetailedView),
    Command.OPEN_LINK: CommandLook("Open accept &link in my browser", "Open link", "B",
                                   QStyle.StandardPixmap.SP_CommandLink),
    Command.COPY_REF: CommandLook("Cop&y order ref", "Copy ref", "Ctrl+Shift+C",
                                  QStyle.StandardPixmap.SP_FileDialogContentsView),
    Command.OPEN_TRACE: CommandLook("Open &trace", "Trace", "T",
                                    QStyle.StandardPixmap.SP_MediaPlay),
}


def plain(text: str) -> str:
    """Menu text without its mnemonic ampersand and trailing ellipsis."""
    return text.replace("&", "").rstrip("…")


class TransferCommands(QObject):
    """The window's triage QActions (see the module docstring).

    Args:
        window: the built main window (queue, detail, run panel, transfer actions).
        desk_id: this desk's ``claimed_by`` identity.
        clock: the current time, aware, in the zone times are shown in.
    """

    def __init__(self, window: MainWindow, desk_id: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._desk_id = desk_id
        self._clock = clock or (lambda: datetime.now().astimezone())
        self.verdicts: dict[Command, Verdict] = {}
        self.actions: dict[Command, QAction] = {}
        self.explainers: dict[Command, QShortcut] = {}
        style = window.style()
        triggers = self._triggers()
        for command, look in LOOKS.items():
            action = QAction(standard_icon(style, look.icon), look.text, window)
            action.setIconText(look.short)
            action.setShortcut(QKeySequence(look.keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setObjectName(f"action_{command.value}")
            action.triggered.connect(triggers[command])
            window.addAction(action)
            self.actions[command] = action
            explainer = QShortcut(QKeySequence(look.keys), window)
            explainer.activated.connect(lambda c=command: self.explain(c))
            self.explainers[command] = explainer
        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self.refresh)
        self._ticker = QTimer(self, interval=REFRESH_EVERY_MS)
        self._ticker.timeout.connect(self.refresh)
        self._ticker.start()
        self._follow()
        self.refresh()

    def _triggers(self) -> dict[Command, Callable[[], object]]:
        actions = self._window.transfer_actions
        return {
            Command.ACCEPT: actions.accept_current,
            Command.ACCEPT_SELECTED: actions.accept_selected,
            Command.CLAIM: actions.claim_current,
            Command.RELEASE: actions.release_current,
            Command.DECIDE: actions.open_override,
            Command.OPEN_LINK: lambda: actions.open_accept_link(self.selection()),
            Command.COPY_REF: actions.copy_order_ref,
            Command.OPEN_TRACE: lambda: actions.open_trace(self.selection()),
        }

    def _follow(self) -> None:
        """Recompute on every change that can change a verdict (coalesced to one per loop)."""
        queue, later = self._window.queue, self.schedule
        table = queue.table
        table.selectionModel().selectionChanged.connect(later)
        table.selectionModel().currentRowChanged.connect(later)
        for signal in (queue.model.dataChanged, queue.model.modelReset,
                       queue.model.rowsInserted, queue.model.rowsRemoved,
                       queue.model.layoutChanged):
            signal.connect(later)
        # The detail pane re-renders its timeline (a model reset) each time it shows a detail.
        self._window.detail.timeline.model().modelReset.connect(later)
        self._window.transfer_actions.running_changed.connect(later)

    # --- state ----------------------------------------------------------------------------
    def selection(self) -> Selection:
        """The queue's selection as the rules see it."""
        queue = self._window.queue
        sites = {account.id: account.site_url for account in queue.accounts.values()}
        return Selection(queue.current_row(), tuple(queue.selected_rows()),
                         self._window.detail.detail, sites)

    def desk_state(self) -> DeskState:
        """This desk's identity, clock, automation and runs."""
        return DeskState(self._desk_id, self._clock(), self._window.has_automation,
                         self._window.transfer_actions.running_ids)

    def schedule(self, *_args: object) -> None:
        """Recompute soon (once, however many changes arrive in this loop iteration)."""
        if not self._pending.isActive():
            self._pending.start()

    def refresh(self) -> None:
        """Recompute every verdict now and show it on the actions."""
        self.verdicts = verdicts(self.selection(), self.desk_state())
        for command, verdict in self.verdicts.items():
            action, look = self.actions[command], LOOKS[command]
            name = plain(look.text)
            shortcut = QKeySequence(look.keys).toString(QKeySequence.SequenceFormat.NativeText)
            action.setEnabled(verdict.enabled)
            action.setToolTip(f"{name} ({shortcut})\n{verdict.note}" if verdict.note
                              else f"{name} ({shortcut})")
            action.setStatusTip(f"{name}: {verdict.note}" if verdict.note else name)
            self.explainers[command].setEnabled(not verdict.enabled)

    def explain(self, command: Command) -> None:
        """A disabled command's key was pressed: say why in the status bar."""
        verdict = self.verdicts.get(command)
        if verdict is not None and not verdict.enabled:
            name = plain(LOOKS[command].text)
            self._window.statusBar().showMessage(f"{name}: {verdict.note}", 6000)

    # --- where the actions appear ---------------------------------------------------------
    def build_toolbar(self) -> QToolBar:
        """The Transfer toolbar (icon and short text; every button named for screen readers)."""
        toolbar = QToolBar("Transfer actions", self._window)
        toolbar.setObjectName("transferToolbar")
        toolbar.setAccessibleName("Transfer actions")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for command in LOOKS:
            action = self.actions[command]
            toolbar.addAction(action)
            if command in (Command.ACCEPT_SELECTED, Command.RELEASE, Command.DECIDE):
                toolbar.addSeparator()
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(plain(LOOKS[command].text))
                button.setObjectName(f"toolbar_{command.value}")
        return toolbar

    def fill_menu(self, menu: QMenu) -> QMenu:
        """Add the commands to ``menu`` (the Transfer menu, a context menu); returns it."""
        menu.setToolTipsVisible(True)  # a disabled item's tooltip says why
        for command, action in self.actions.items():
            menu.addAction(action)
            if command in (Command.ACCEPT_SELECTED, Command.RELEASE, Command.DECIDE):
                menu.addSeparator()
        return menu

    def context_menu(self, parent: QWidget) -> QMenu:
        """A fresh context menu with the commands, current as of now."""
        self.refresh()
        return self.fill_menu(QMenu(parent))
