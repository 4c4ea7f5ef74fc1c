"""The desk's secondary windows, opened non-modally from the menus: Settings, the assisted
lane and the dashboard.

Owns how each is built and shown (parented to the main window, deleted on close, loaded
through the window's executor); the main window's slots call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.config import Settings

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def open_settings(window: MainWindow, settings: Settings) -> None:
    """Open the settings dialog (non-modal)."""
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, window.backend, window.executor, window.tasks, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def open_assisted_lane(window: MainWindow, settings: Settings) -> None:
    """Show the assisted lane (transfers a person accepts in their own browser)."""
    from ui.assisted_lane import AssistedLaneView

    if window.backend is None:
        return
    worker_id = getattr(window.backend, "worker_id", "")  # a test fake may have none
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
