"""Qt application bootstrap: QApplication + qasync loop, the main window, clean shutdown."""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import __version__
from app.config import load_settings


def run_gui(quit_after: float | None = None) -> int:
    """Open the main window and run the Qt event loop until it closes. Returns the exit code."""
    import qasync

    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("TransferDesk")
    app.setOrganizationName("TransferDesk")
    app.setApplicationVersion(__version__)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    settings = load_settings()
    window = MainWindow(settings)
    window.show()
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(window.connect_database())
        loop.run_until_complete(closed.wait())
    return 0
