"""The only place core meets Qt: core events in, Qt signals out, always on the GUI thread.

Producers publish plain dataclasses on :class:`app.events.EventBus` from any thread (change feed,
browser thread, mail threads). :class:`EventBridge` subscribes once and re-emits each event as a
Qt signal. The bridge lives on the GUI thread; a signal emitted from another thread to a receiver
on the GUI thread is delivered through a queued connection, so every slot runs on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.events import EventBus

#: Run events (automation.runner) are routed by class name so the bridge needs no import of the
#: automation layer at module load; every other known name gets its own signal below.
RUN_EVENT_NAMES = frozenset({
    "RunStarted", "StepStarted", "StepFinished", "LogLine", "Frame", "RunFinished",
    "TakeoverRequested", "TakeoverEnded", "OperatorCodeRequested", "BatchProgress",
})


class EventBridge(QObject):
    """Re-emits core events as Qt signals on the GUI thread.

    Signals:
        event_received(object): every event, in publication order.
        transfer_changed(object): ``TransferChanged`` / ``QueueResync`` from the change feed.
        run_event(object): browser-run events (steps, log lines, frames, takeover, MFA prompts).
        alarm_raised(object): alarms (drift, stale workers, keyring problems).
    """

    event_received = Signal(object)
    transfer_changed = Signal(object)
    run_event = Signal(object)
    alarm_raised = Signal(object)
    _relay = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        # Explicitly queued: even a publish on the GUI thread is delivered from the event loop,
        # so a producer never re-enters a widget in the middle of its own call.
        self._relay.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(self._relay.emit)

    @property
    def bus(self) -> EventBus:
        """The core event bus this bridge listens to (UI code publishes on it too)."""
        return self._bus

    def close(self) -> None:
        """Stop listening to the bus (idempotent)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @Slot(object)
    def _dispatch(self, event: object) -> None:
        name = type(event).__name__
        self.event_received.emit(event)
        if name in ("TransferChanged", "QueueResync"):
            self.transfer_changed.emit(event)
        elif name in RUN_EVENT_NAMES:
            self.run_event.emit(event)
        elif name.endswith("Alarm") or name == "AlarmRaised":
            self.alarm_raised.emit(event)
