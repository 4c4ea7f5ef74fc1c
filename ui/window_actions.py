"""The main window's menus, toolbar and keyboard shortcuts (built in code, wired to its slots).

Owns which action sits in which menu and which key triggers what; the window owns the slots and
:mod:`ui.transfer_commands` the triage QActions (Transfer menu, toolbar, context menu).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from app.desk.api import SAVED_VIEWS

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """File (Settings, Import orders…, Quit), Transfer (the triage commands), View (saved views,
    dashboard, lane), Help; and the Transfer toolbar."""
    file_menu = window.menuBar().addMenu("&File")
    settings_action = QAction("&Settings…", window)
    settings_action.triggered.connect(window.open_settings)
    file_menu.addAction(settings_action)
    quit_action = QAction("&Quit", window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)
    from ui.marketplace_wiring import add_marketplace_parts

    add_marketplace_parts(window, file_menu)
    window.transfer_menu = window.commands.fill_menu(window.menuBar().addMenu("&Transfer"))
    window.transfer_menu.setObjectName("transferMenu")
    window.toolbar = window.commands.build_toolbar()
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, window.toolbar)
    # every command stays in sight: the window is never narrower than its toolbar
    window.setMinimumWidth(window.toolbar.sizeHint().width() + 8)
    view_menu = window.menuBar().addMenu("&View")
    for number, name in enumerate(SAVED_VIEWS, start=1):
        action = QAction(name, window)
        action.setShortcut(QKeySequence(str(number)))  # shown only: the QShortcut below fires
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False, n=name: window.queue.view_box.setCurrentText(n))
        view_menu.addAction(action)
    dashboard_action = QAction("&Dashboard", window)
    dashboard_action.triggered.connect(window.open_dashboard)
    view_menu.addAction(dashboard_action)
    lane_action = QAction("&Assisted lane", window)
    lane_action.setShortcut("Ctrl+L")
    lane_action.triggered.connect(window.open_assisted_lane)
    view_menu.addAction(lane_action)
    help_action = QAction("&Keyboard shortcuts", window)
    help_action.setShortcut(QKeySequence("?"))
    help_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    help_action.triggered.connect(lambda: window.help.toggle())
    window.menuBar().addMenu("&Help").addAction(help_action)


def build_shortcuts(window: MainWindow) -> dict[str, QShortcut]:
    """The keys that are not triage commands (those are QActions, see :mod:`ui.transfer_commands`):
    J/K, /, F5, ?, Esc, 1-9 for the saved views; Enter on a row opens its detail."""
    actions = window.transfer_actions
    bindings: Sequence[tuple[str, Callable[[], object]]] = [
        ("J", lambda: window.queue.move_cursor(1)),
        ("K", lambda: window.queue.move_cursor(-1)),
        ("/", actions.focus_search),
        ("F5", lambda: window.queue.reload()),
        ("?", lambda: window.help.toggle()),
        ("Esc", actions.escape),
    ]
    views = [(str(i + 1), partial(window.queue.view_box.setCurrentText, name))
             for i, name in enumerate(SAVED_VIEWS)]
    shortcuts: dict[str, QShortcut] = {}
    for keys, slot in [*bindings, *views]:
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.activated.connect(slot)
        shortcuts[keys] = shortcut
    window.queue.table.activated.connect(lambda _index: actions.open_detail())
    return shortcuts
