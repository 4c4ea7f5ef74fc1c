"""Qt application bootstrap: QApplication + qasync loop, theme, tray, the main window, shutdown."""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app import __version__
from app.config import load_settings


def run_gui(quit_after: float | None = None) -> int:
    """Open the main window and run the Qt event loop until it closes. Returns the exit code."""
    import qasync

    from ui.main_window import MainWindow
    from ui.theme import apply_theme
    from ui.tray import DeskTray

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("TransferDesk")
    app.setOrganizationName("TransferDesk")
    app.setApplicationVersion(__version__)
    apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    settings = load_settings()
    window = MainWindow(settings)
    window.show()
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray = DeskTray(window)
        window.bridge.event_received.connect(tray.notify_event)
        tray.show()
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(window.connect_database())
        loop.run_until_complete(closed.wait())
    return 0
