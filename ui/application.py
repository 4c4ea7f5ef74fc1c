"""Qt application bootstrap: QApplication + qasync loop, theme, tray, the main window, shutdown."""

from __future__ import annotations

import asyncio
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

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
    window.closed.connect(app.quit)  # it hides at once and closes after its background shutdown
    window.show()
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray = DeskTray(window)
        tray.follow(window.bridge)
        tray.show()
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    signal_pump = _close_on_signals(app, window)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.create_task(window.connect_database())
        loop.run_until_complete(closed.wait())
    signal_pump.stop()
    return 0


def _close_on_signals(app: QApplication, window: QWidget) -> QTimer:
    """Ctrl-C and SIGTERM close the window in order (unless the caller handles them itself).

    Python runs signal handlers only between bytecodes, and an idle Qt loop runs none; a
    no-op timer every 250 ms hands control back so a signal is handled promptly.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(sig, lambda *_: window.close())
    pump = QTimer(app)
    pump.timeout.connect(lambda: None)
    pump.start(250)
    return pump
