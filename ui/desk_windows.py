"""The desk's secondary windows, opened non-modally from the menus: Settings, the assisted
lane, the dashboard and the portal accounts.

Owns how each is built and shown (parented to the main window, deleted on close, loaded
through the window's executor); the main window's slots call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from app.config import Settings

#: The object name of View > Portal accounts (``window.findChild(QAction, ACCOUNTS_ACTION)``).
ACCOUNTS_ACTION = "portal_accounts_action"

if TYPE_CHECKING:
    from ui.accounts_view import AccountsView
    from ui.main_window import MainWindow
    from ui.settings_dialog import SettingsDialog


def open_settings(window: MainWindow, settings: Settings, tab: str | None = None
                  ) -> SettingsDialog:
    """Open the settings dialog (non-modal), at ``tab`` when given ("portal", "mailbox", …)."""
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, window.backend, window.executor, window.tasks, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.portal.accounts_changed.connect(lambda: reload_account_names(window))
    if tab is not None:
        dialog.show_tab(tab)
    dialog.open()
    return dialog


def reload_account_names(window: MainWindow) -> None:
    """The queue's account filter and column follow an account added, renamed or removed."""
    window.tasks.spawn(window.queue.load_accounts())


def open_accounts(window: MainWindow, settings: Settings) -> AccountsView | None:
    """Show the portal accounts at a glance (one window; raised when already open)."""
    from ui.accounts_view import AccountsView, keyring_sign_in

    if window.backend is None:
        return None
    existing = window.findChild(AccountsView)
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    view = AccountsView(window.backend, window.executor, window.tasks, keyring_sign_in(settings),
                        settings=settings)
    view.setParent(window, Qt.WindowType.Window)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.follow(window.bridge)
    view.accounts_changed.connect(lambda: reload_account_names(window))
    view.resize(1100, 420)
    view.show()
    view.schedule_reload()
    return view


def open_assisted_lane(window: MainWindow, settings: Settings) -> None:
    """Show the assisted lane (transfers a person accepts in their own browser)."""
    from ui.assisted_lane import AssistedLaneView

    if window.backend is None:
        return
    from app.desk.service_backend import ServiceBackend

    backend = window.backend
    worker_id = backend.worker_id if isinstance(backend, ServiceBackend) else ""
    desk = f"{settings.display_name or 'desk'}@{worker_id}"
    lane = AssistedLaneView(window.backend, window.executor, window.tasks, desk)
    lane.setParent(window, Qt.WindowType.Window)
    lane.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    lane.resize(900, 520)
    lane.show()
    window.tasks.spawn(lane.reload())


def open_dashboard(window: MainWindow) -> None:
    """Show the dashboard window."""
    from ui.dashboard import DashboardWindow

    if window.backend is None:
        return
    dashboard = DashboardWindow(window.backend, window.executor, window.tasks, window)
    dashboard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dashboard.show()
    window.tasks.spawn(dashboard.reload())


def add_accounts_action(window: MainWindow, settings: Settings) -> None:
    """View > Portal accounts (Ctrl+Shift+P) opens :func:`open_accounts`."""
    from PySide6.QtGui import QAction

    view_menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&View"),
                     None)
    action = QAction("Portal a&ccounts", window)
    action.setShortcut("Ctrl+Shift+P")
    action.triggered.connect(lambda: open_accounts(window, settings))
    action.setObjectName(ACCOUNTS_ACTION)
    if isinstance(view_menu, QMenu):
        view_menu.addAction(action)
    else:
        window.menuBar().addAction(action)
