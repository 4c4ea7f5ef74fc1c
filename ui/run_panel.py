"""The run panel: accept one or a batch, watch the browser live, take over, hand back.

Owns the panel's widgets and their state (the prompt shown, when each step started). Runs
execute on the browser thread; a batch is an :class:`automation.runs.batch.BatchRun` that submits
each run through an :class:`automation.runs.desk_control.RunControl` (off the GUI thread); this
panel renders its progress with an ETA, its summary (:class:`ui.batch_summary.BatchSummaryView`)
and the run events the bridge re-emits: the live frame across the panel's width (the panel
scrolls when it is taller than the window), the step log with each step's duration. Operator
prompts (takeover, verification code) are inline, never modal, and answered through the event's
own :class:`automation.runs.events.Answer`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import TransferRow
from automation.runs.batch import ABORTED, BatchItem, BatchLine, BatchRun
from automation.runs.desk_control import RunControl
from automation.runs.events import (
    Frame,
    LogLine,
    OperatorCodeRequested,
    RunFinished,
    StepFinished,
    StepStarted,
    TakeoverRequested,
)
from ui.batch_summary import BatchSummaryView
from ui.bridge import EventBridge
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.labels import OUTCOME_LABELS, seconds_text, step_label
from ui.live_frame import LiveFrameView
from ui.run_prompts import CodePrompt, TakeoverPrompt
from ui.widgets import named

if TYPE_CHECKING:  # Playwright loads with the runner, on the first run
    from automation.runs.jobs import AbortSignal, RunResult


def _clock(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M:%S")


class RunPanel(QWidget):
    """Accept buttons, batch progress, live frames, step log and operator prompts.

    Signals:
        batch_finished(list): results of the batch, in order.
        transfer_requested(int): a summary link was activated: select that transfer.
    """

    batch_finished = Signal(list)
    transfer_requested = Signal(int)

    def __init__(
        self, control: RunControl | None, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._control, self._executor, self._tasks = control, executor, tasks
        self._batch: BatchRun | None = None
        self._transfer_ids: set[int] = set()
        self._step_started: dict[tuple[str, str], datetime] = {}
        self._eta_timer = QTimer(self, interval=1000)
        self._eta_timer.timeout.connect(self._show_eta)
        self._build()

    def _build(self) -> None:
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Accept the current transfer (A)")
        self.batch_button = QPushButton("Accept selected")
        self.abort_button = named(QPushButton("Abort"), "Abort", enabled=False)
        self.abort_button.clicked.connect(self.abort)
        self.progress = QProgressBar(textVisible=True)
        self.progress.setFormat("%v / %m")
        self.status_label = QLabel("Idle")
        top = QHBoxLayout()
        for widget in (self.accept_button, self.batch_button, self.abort_button):
            top.addWidget(widget)
        top.addWidget(self.progress, 1)
        self.eta_label = named(QLabel(), "Time left")
        top.addWidget(self.status_label)
        top.addWidget(self.eta_label)

        self.frame_label = LiveFrameView(self._tasks)
        self.log_view = named(QPlainTextEdit(readOnly=True), "Run log")
        self.log_view.setMaximumBlockCount(5000)
        self.log_view.setMinimumHeight(140)
        self.results = named(QListWidget(), "Batch results")
        self.results.setMinimumHeight(80)
        self.summary = BatchSummaryView()
        self.summary.transfer_requested.connect(self.transfer_requested)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.frame_label)
        column.addWidget(self.summary)
        column.addWidget(self.log_view, 1)
        column.addWidget(self.results)
        self.scroll_area = named(QScrollArea(), "Run panel content")
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)

        self.takeover_box = TakeoverPrompt(self._control, self._executor, self._tasks)
        self.takeover_label = self.takeover_box.label
        self.open_browser_button = self.takeover_box.open_browser_button
        self.hand_back_button = self.takeover_box.hand_back_button
        self.give_up_button = self.takeover_box.give_up_button
        self.code_box = CodePrompt()
        self.code_edit = self.code_box.edit

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.takeover_box)
        layout.addWidget(self.code_box)
        layout.addWidget(self.scroll_area, 1)

    # --- batches --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while a batch is in progress."""
        return self._batch is not None

    def start(self, rows: Sequence[TransferRow]) -> None:
        """Accept ``rows`` one after another (button slot)."""
        if rows and not self.running:
            self._tasks.spawn(self.run_batch(rows), name="run-batch")

    async def run_batch(self, rows: Sequence[TransferRow]) -> list[RunResult]:
        """Run each transfer in turn; stop starting new ones after Abort."""
        if self._control is None:
            self.status_label.setText("Browser automation is not available on this desk")
            return []
        batch = BatchRun([BatchItem(r.id, r.order_ref) for r in rows], self._start_run)
        self._batch = batch
        self._transfer_ids = {item.transfer_id for item in batch.items}
        self.results.clear()
        self.summary.clear()
        self.progress.setRange(0, len(rows))
        self.progress.setValue(0)
        self._set_busy(True)
        self._show_eta()
        self._eta_timer.start()
        results: list[RunResult] = []
        try:
            results = await batch.run(self)
        finally:
            self._eta_timer.stop()
            self._batch = None
            self._set_busy(False)
            self._hide_prompts()
            self.status_label.setText("Aborted" if batch.aborted
                                      else f"Done: {len(results)} run(s)")
            self.eta_label.clear()
            self.summary.show_summary(batch.summary)
        self.batch_finished.emit(results)
        return results

    async def _start_run(self, transfer_id: int, abort: AbortSignal) -> RunResult:
        assert self._control is not None
        future = await self._executor.call(self._control.accept, transfer_id, abort)
        return await asyncio.wrap_future(future)

    def item_started(self, index: int, total: int, item: BatchItem) -> None:
        """Batch progress: one transfer is starting."""
        self.status_label.setText(f"Accepting {item.order_ref} ({index + 1}/{total})")

    def item_ended(self, index: int, total: int, line: BatchLine) -> None:
        """Batch progress: one transfer ended, or was not started."""
        if line.not_run != ABORTED:
            self.progress.setValue(index + 1)
        self._show_eta()
        self.results.addItem(line.text)

    def _show_eta(self) -> None:
        """"about 1 min 10 s left", from the running mean of the finished transfers."""
        if self._batch is None:
            return
        left = self._batch.remaining_seconds()
        if left == 0.0 and len(self._batch.lines) == len(self._batch.items):
            self.eta_label.clear()  # the last one ended: the summary follows
            return
        self.eta_label.setText("estimating time left…" if left is None
                               else f"about {seconds_text(left)} left")

    def abort(self) -> None:
        """Stop the batch at the run's next safe point (recorded as aborted)."""
        if self._batch is not None:
            self._batch.abort()
            self.status_label.setText("Aborting…")
            self.abort_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        self.accept_button.setEnabled(not busy)
        self.batch_button.setEnabled(not busy)
        self.abort_button.setEnabled(busy)

    # --- run events (bridge slots) --------------------------------------------------------
    def follow(self, bridge: EventBridge) -> None:
        """Render the bridge's run events (this panel's transfers only, while a batch runs)."""
        bridge.step_started.connect(self.on_step_started)
        bridge.step_finished.connect(self.on_step_finished)
        bridge.log_line.connect(self.on_log_line)
        bridge.frame.connect(self.on_frame)
        bridge.run_finished.connect(self.on_run_finished)
        bridge.takeover_requested.connect(self.on_takeover_requested)
        bridge.code_requested.connect(self.on_code_requested)

    def _mine(self, transfer_id: int) -> bool:
        return not self._transfer_ids or transfer_id in self._transfer_ids

    def on_frame(self, event: Frame) -> None:
        """A live browser frame."""
        if self._mine(event.transfer_id):
            self.show_frame(event.jpeg)

    def on_log_line(self, event: LogLine) -> None:
        """One line of the run's log."""
        if self._mine(event.transfer_id):
            self._log(event.at, f"{event.level:<7} {event.message}")

    def on_step_started(self, event: StepStarted) -> None:
        """A step began."""
        if self._mine(event.transfer_id):
            self._step_started[(event.run_key, event.step)] = event.at
            self._log(event.at, f"▶ {step_label(event.step)}…")

    def on_step_finished(self, event: StepFinished) -> None:
        """A step ended: "✔ Sign in  2.3 s"."""
        if self._mine(event.transfer_id):
            mark = "✔" if event.ok else "✘"
            started = self._step_started.pop((event.run_key, event.step), None)
            took = f"  {seconds_text((event.at - started).total_seconds())}" if started else ""
            detail = f"  {event.detail}" if event.detail else ""
            self._log(event.at, f"{mark} {step_label(event.step)}{took}{detail}")

    def on_run_finished(self, event: RunFinished) -> None:
        """The run ended."""
        if self._mine(event.transfer_id):
            self._step_started = {k: v for k, v in self._step_started.items()
                                  if k[0] != event.run_key}
            self._log(event.at, f"■ {OUTCOME_LABELS[event.outcome]} → {event.status}")

    def on_takeover_requested(self, event: TakeoverRequested) -> None:
        """The portal needs a human: show the inline takeover prompt."""
        if self._mine(event.transfer_id):
            self.takeover_box.ask(event)

    def on_code_requested(self, event: OperatorCodeRequested) -> None:
        """No emailed verification code: ask the operator inline."""
        if self._mine(event.transfer_id):
            self.code_box.ask(event)

    def show_frame(self, jpeg: bytes) -> None:
        """Paint a live frame (decoded off the GUI thread, latest frame wins)."""
        self.frame_label.show_frame(jpeg)

    @property
    def frames_received(self) -> int:
        """Frames that reached the panel."""
        return self.frame_label.frames_received

    @property
    def frames_shown(self) -> int:
        """Frames painted."""
        return self.frame_label.frames_shown

    def _log(self, at: datetime, text: str) -> None:
        self.log_view.appendPlainText(f"{_clock(at)}  {text}")

    def shutdown(self) -> None:
        """Stop the frame decoder thread."""
        self.frame_label.shutdown()

    def _hide_prompts(self) -> None:
        if self.takeover_box.pending:
            self.takeover_box.end(False, by_operator=False)
        if self.code_box.pending:
            self.code_box.answer(None)
