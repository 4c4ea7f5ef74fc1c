"""The tray icon and its notifications: new needs_review, failed runs, alarms.

Owns the icon, its menu and the messages; its slots are typed, one per bridge signal it follows
(:meth:`DeskTray.follow`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from app.changefeed import TransferChanged
from app.domain.states import Status
from app.mail.events import TemplateDriftAlarm
from app.services.deadlines import DeadlineWarningAlarm
from automation.runs.events import RunFinished
from ui.bridge import AlarmEvent, EventBridge, FeedChange
from ui.theme import app_icon

#: A run that leaves its transfer in one of these failed (the tray says so).
FAILED = frozenset({Status.NEEDS_REVIEW, Status.REJECTED, Status.EXPIRED})


class DeskTray(QSystemTrayIcon):
    """The tray icon; :meth:`follow` connects it to the bridge."""

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

    def follow(self, bridge: EventBridge) -> None:
        """Show messages for the bridge's transfer changes, finished runs and alarms."""
        bridge.transfer_changed.connect(self.on_transfer_changed)
        bridge.run_finished.connect(self.on_run_finished)
        bridge.alarm_raised.connect(self.on_alarm)

    def _raise(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def on_transfer_changed(self, event: FeedChange) -> None:
        """A transfer that now needs a human decision."""
        if isinstance(event, TransferChanged) and event.status == Status.NEEDS_REVIEW:
            self.notify("Needs review", f"Transfer {event.id} needs a human decision")

    def on_run_finished(self, event: RunFinished) -> None:
        """A run that left its transfer failed."""
        if event.status in FAILED:
            self.notify("Run failed", f"Transfer {event.transfer_id}: {event.outcome}")

    def on_alarm(self, event: AlarmEvent) -> None:
        """A deadline warning or any other alarm."""
        if isinstance(event, DeadlineWarningAlarm):
            self.notify("Deadline approaching", event.message)
        elif isinstance(event, TemplateDriftAlarm):
            self.notify("Alarm", f"{event.platform} emails in {event.mailbox} no longer match "
                                 f"their template: {event.subject}")

    def notify(self, title: str, text: str) -> None:
        """Show (and remember) one message."""
        self.messages.append((title, text))
        if QSystemTrayIcon.supportsMessages() and self.isVisible():
            self.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
