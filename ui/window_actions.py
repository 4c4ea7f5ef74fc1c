"""The main window's menus and keyboard shortcuts (built in code, wired to the window's slots).

Owns which action sits in which menu and which key triggers what; the window owns the slots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence, QShortcut

from app.desk.api import SAVED_VIEWS

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """File (Settings, Import orders…, Quit), View (saved views, dashboard, lane), Help."""
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
    view_menu = window.menuBar().addMenu("&View")
    for name in SAVED_VIEWS:
        action = QAction(name, window)
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
    help_action.triggered.connect(lambda: window.help.toggle())
    window.menuBar().addMenu("&Help").addAction(help_action)


def build_shortcuts(window: MainWindow) -> dict[str, QShortcut]:
    """The triage keys (J/K, A, Shift+A, O, C, R, /, F5, ?, Esc, 1-9 for the saved views)."""
    actions = window.transfer_actions
    bindings: Sequence[tuple[str, Callable[[], object]]] = [
        ("J", lambda: window.queue.move_cursor(1)),
        ("K", lambda: window.queue.move_cursor(-1)),
        ("A", actions.accept_current),
        ("Shift+A", actions.accept_selected),
        ("O", actions.open_override),
        ("C", actions.claim_current),
        ("R", actions.release_current),
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
    return shortcuts
