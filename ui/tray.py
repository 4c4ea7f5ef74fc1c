"""Tray icon with notifications: new needs_review, failed runs, drift alarms."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from ui.theme import app_icon

FAILED = frozenset({"needs_review", "rejected", "expired"})


class DeskTray(QSystemTrayIcon):
    """The tray icon; ``notify_event`` is connected to the bridge's ``event_received``."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(app_icon(), window)
        self._window = window
        self.setToolTip("TransferDesk")
        menu = QMenu(window)
        menu.addAction("Show TransferDesk", self._raise)
        menu.addAction("Quit", window.close)
        self.setContextMenu(menu)
        self.activated.connect(lambda _reason: self._raise())
        self.messages: list[tuple[str, str]] = []

    def _raise(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def notify_event(self, event: Any) -> None:
        """Turn the core events staff care about into tray messages."""
        name = type(event).__name__
        if name == "TransferChanged" and event.status == "needs_review":
            self.notify("Needs review", f"Transfer {event.id} needs a human decision")
        elif name == "RunFinished" and event.status in FAILED:
            self.notify("Run failed", f"Transfer {event.transfer_id}: {event.outcome}")
        elif name == "DeadlineWarningAlarm":
            self.notify("Deadline approaching", event.message)
        elif name.endswith("Alarm") or name == "AlarmRaised":
            self.notify("Alarm", str(getattr(event, "message", event)))

    def notify(self, title: str, text: str) -> None:
        """Show (and remember) one message."""
        self.messages.append((title, text))
        if QSystemTrayIcon.supportsMessages() and self.isVisible():
            self.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
