"""The only place core meets Qt: core events in, one typed Qt signal per event class or family
out, always on the GUI thread.

Producers publish plain frozen dataclasses on :class:`app.events.EventBus` from any thread
(change feed, browser thread, mail threads, escrow). :class:`EventBridge` subscribes once per
event class (the bus filters by type) and re-emits each event on that class's signal. Routes are
classes, never class names: mypy sees every one, and ``tests/ui/test_gui_signals.py`` checks
that every event class the core publishes has a route and every route is published.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot

from app.changefeed import ChangeFeedStatus, QueueResync, TransferChanged
from app.escrow.service import EscrowChanged
from app.events import EventBus
from app.mail.events import MailboxStatus, NoticeMatched, NoticeUnmatched, TemplateDriftAlarm
from app.services.deadlines import DeadlineWarningAlarm
from automation.runs.events import (
    Frame,
    LogLine,
    OperatorCodeRequested,
    RunFinished,
    StepFinished,
    StepStarted,
    TakeoverRequested,
)

#: What :attr:`EventBridge.transfer_changed` carries: one changed row, or "reload everything".
FeedChange = TransferChanged | QueueResync
#: What :attr:`EventBridge.alarm_raised` carries.
AlarmEvent = TemplateDriftAlarm | DeadlineWarningAlarm


class EventBridge(QObject):
    """Re-emits core events as typed Qt signals on the GUI thread.

    Signals:
        transfer_changed(FeedChange): a transfer row changed, or the queue must resync.
        feed_status(ChangeFeedStatus): the change feed connected or lost its connection.
        escrow_changed(EscrowChanged): a transfer's escrow status changed.
        notice_matched(NoticeMatched) / notice_unmatched(NoticeUnmatched): mail ingest.
        mailbox_status(MailboxStatus): a mailbox connection went up or down.
        alarm_raised(AlarmEvent): template drift, a new deadline warning.
        step_started(StepStarted) / step_finished(StepFinished) / log_line(LogLine) /
        frame(Frame) / run_finished(RunFinished): a browser run's progress.
        takeover_requested(TakeoverRequested) / code_requested(OperatorCodeRequested): a run
            needs the operator.
    """

    transfer_changed = Signal(object)  # FeedChange (a union: Signal takes one Python type)
    feed_status = Signal(ChangeFeedStatus)
    escrow_changed = Signal(EscrowChanged)
    notice_matched = Signal(NoticeMatched)
    notice_unmatched = Signal(NoticeUnmatched)
    mailbox_status = Signal(MailboxStatus)
    alarm_raised = Signal(object)  # AlarmEvent
    step_started = Signal(StepStarted)
    step_finished = Signal(StepFinished)
    log_line = Signal(LogLine)
    frame = Signal(Frame)
    run_finished = Signal(RunFinished)
    takeover_requested = Signal(TakeoverRequested)
    code_requested = Signal(OperatorCodeRequested)
    _relay = Signal(object, object)  # (the route's signal, the event)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._closed = False
        # Explicitly queued: even a publish on the GUI thread is delivered from the event loop,
        # so a producer never re-enters a widget in the middle of its own call.
        self._relay.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: list[Callable[[], None]] = [
            bus.subscribe(partial(self._relay.emit, signal), event_type)
            for event_type, signal in self.routes().items()
        ]

    def routes(self) -> dict[type, SignalInstance]:
        """Every routed event class and the signal that carries it."""
        return {
            TransferChanged: self.transfer_changed,
            QueueResync: self.transfer_changed,
            ChangeFeedStatus: self.feed_status,
            EscrowChanged: self.escrow_changed,
            NoticeMatched: self.notice_matched,
            NoticeUnmatched: self.notice_unmatched,
            MailboxStatus: self.mailbox_status,
            TemplateDriftAlarm: self.alarm_raised,
            DeadlineWarningAlarm: self.alarm_raised,
            StepStarted: self.step_started,
            StepFinished: self.step_finished,
            LogLine: self.log_line,
            Frame: self.frame,
            RunFinished: self.run_finished,
            TakeoverRequested: self.takeover_requested,
            OperatorCodeRequested: self.code_requested,
        }

    @property
    def bus(self) -> EventBus:
        """The core event bus this bridge listens to (UI code publishes on it too)."""
        return self._bus

    def close(self) -> None:
        """Stop listening to the bus and drop events still queued to the GUI thread: a
        closing window has cancelled the work they would start (idempotent)."""
        self._closed = True
        while self._unsubscribe:
            self._unsubscribe.pop()()

    @Slot(object, object)
    def _dispatch(self, signal: SignalInstance, event: object) -> None:
        if not self._closed:
            signal.emit(event)
