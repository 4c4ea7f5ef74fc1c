"""The run panel: accept one or a batch, watch the browser live, take over, hand back.

Runs execute on the browser thread (``automation``); this panel only submits them through a
:class:`RunControl` (off the GUI thread) and renders the run events the bridge re-emits. Operator
prompts (takeover, verification code) are inline, never modal, and answered through the event's
own :class:`automation.runs.events.Answer`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any, Protocol

from PIL import Image
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named

SUCCESS = frozenset({"accepted", "already_accepted"})


class RunControl(Protocol):
    """How the desktop starts and steers browser runs (implemented over automation/)."""

    def accept(self, transfer_id: int, abort: Any) -> Future[Any]:
        """Claim ``transfer_id`` and submit its run; the future resolves to the run's result."""

    def open_browser(self, run_key: str) -> None:
        """Takeover: show the headed browser on the run's session."""

    def record_takeover(
        self, transfer_id: int, started_at: datetime, ended_at: datetime, outcome: str
    ) -> None:
        """Write the takeover (who, when, how long; "handed_back" or "gave_up") to the audit."""


def _decode_scaled(jpeg: bytes, width: int, height: int) -> tuple[bytes, int, int] | None:
    """Decode a JPEG frame to packed RGB that fits ``width`` x ``height`` (any thread).

    Pillow releases the GIL while it decodes and resizes; PySide's ``QImage`` holds it, which
    stalls the GUI thread even when the decoding runs on a worker. Draft mode lets the JPEG
    decoder produce a reduced size directly.

    Returns:
        ``(rgb, width, height)``, or None for a frame that is not a readable image.
    """
    try:
        with Image.open(io.BytesIO(jpeg)) as frame:
            ratio = min(max(width, 1) / frame.width, max(height, 1) / frame.height, 1.0)
            fit = (max(1, round(frame.width * ratio)), max(1, round(frame.height * ratio)))
            frame.draft("RGB", fit)  # e.g. a 1280x800 frame for a 570 px view decodes at 1/2
            rgb = frame.convert("RGB")
    except (OSError, ValueError):  # truncated or not an image: skip this frame
        return None
    if rgb.size != fit:
        rgb = rgb.resize(fit, Image.Resampling.BILINEAR)
    return rgb.tobytes(), rgb.width, rgb.height


def _clock(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M:%S")


class RunPanel(QWidget):
    """Accept buttons, batch progress, live frames, step log and operator prompts.

    Signals:
        batch_finished(list): results of the batch, in order.
    """

    batch_finished = Signal(list)

    def __init__(
        self, control: RunControl | None, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._control, self._executor, self._tasks = control, executor, tasks
        self._abort: Any = None
        self._takeover: Any = None
        self._takeover_started: datetime | None = None
        self._code_request: Any = None
        self._transfer_ids: set[int] = set()
        self.frames_shown = 0
        self.frames_received = 0
        self._frames = ServiceExecutor(max_workers=1)  # JPEG decoding, off the GUI thread
        self._decoding = False
        self._next_frame: bytes | None = None
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
        top.addWidget(self.status_label)

        self.frame_label = QLabel("No run yet", alignment=Qt.AlignmentFlag.AlignCenter)
        self.frame_label.setMinimumSize(320, 200)
        self.frame_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.frame_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.log_view = named(QPlainTextEdit(readOnly=True), "Run log")
        self.log_view.setMaximumBlockCount(5000)
        self.results = named(QListWidget(), "Batch results")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.log_view)
        right.addWidget(self.results)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.frame_label)
        split.addWidget(right)
        split.setSizes([480, 360])

        self.takeover_box = named(QFrame(), "takeoverBox", visible=False)
        self.takeover_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.takeover_label = QLabel(wordWrap=True)
        self.open_browser_button = QPushButton("Open browser")
        self.open_browser_button.clicked.connect(self._open_browser)
        self.hand_back_button = QPushButton("Hand back")
        self.hand_back_button.clicked.connect(lambda: self._end_takeover(True))
        self.give_up_button = QPushButton("Give up")
        self.give_up_button.clicked.connect(lambda: self._end_takeover(False))
        box = QHBoxLayout(self.takeover_box)
        box.addWidget(self.takeover_label, 1)
        for button in (self.open_browser_button, self.hand_back_button, self.give_up_button):
            box.addWidget(button)

        self.code_box = named(QFrame(), "codeBox", visible=False)
        self.code_label = QLabel(wordWrap=True)
        self.code_edit = QLineEdit(placeholderText="verification code")
        self.code_edit.returnPressed.connect(self._send_code)
        send = QPushButton("Send code")
        send.clicked.connect(self._send_code)
        skip = QPushButton("I don't have it")
        skip.clicked.connect(lambda: self._answer_code(None))
        code_row = QHBoxLayout(self.code_box)
        code_row.addWidget(self.code_label, 1)
        code_row.addWidget(self.code_edit)
        code_row.addWidget(send)
        code_row.addWidget(skip)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.takeover_box)
        layout.addWidget(self.code_box)
        layout.addWidget(split, 1)

    # --- batches --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while a batch is in progress."""
        return self._abort is not None

    def start(self, rows: Sequence[Any]) -> None:
        """Accept ``rows`` one after another (button slot)."""
        if rows and not self.running:
            self._tasks.spawn(self.run_batch(rows), name="run-batch")

    async def run_batch(self, rows: Sequence[Any]) -> list[Any]:
        """Run each transfer in turn; stop starting new ones after Abort."""
        if self._control is None:
            self.status_label.setText("Browser automation is not available on this desk")
            return []
        from automation.runs.runner import AbortSignal  # Playwright loads on first use

        self._abort = AbortSignal()
        self._transfer_ids = {int(r.id) for r in rows}
        self.results.clear()
        self.progress.setRange(0, len(rows))
        self.progress.setValue(0)
        self._set_busy(True)
        results: list[Any] = []
        try:
            for done, row in enumerate(rows):
                if self._abort.aborted:
                    self.results.addItem(f"{row.order_ref}: not started (aborted)")
                    continue
                self.status_label.setText(f"Accepting {row.order_ref} ({done + 1}/{len(rows)})")
                try:
                    future = await self._executor.call(self._control.accept, row.id, self._abort)
                    result = await asyncio.wrap_future(future)
                except Exception as exc:  # a refused claim must not stop the rest of the batch
                    self.results.addItem(f"{row.order_ref}: not run — {exc}")
                    self.progress.setValue(done + 1)
                    continue
                results.append(result)
                outcome = str(getattr(result, "outcome", result))
                mark = "✔" if outcome in SUCCESS else "✘"
                self.results.addItem(f"{mark} {row.order_ref}: {outcome} {result.detail}".strip())
                self.progress.setValue(done + 1)
        finally:
            aborted = self._abort.aborted
            self._abort = None
            self._set_busy(False)
            self._hide_prompts()
            self.status_label.setText("Aborted" if aborted else f"Done: {len(results)} run(s)")
        self.batch_finished.emit(results)
        return results

    def abort(self) -> None:
        """Stop the batch at the run's next safe point (recorded as aborted)."""
        if self._abort is not None:
            self._abort.abort()
            self.status_label.setText("Aborting…")
            self.abort_button.setEnabled(False)

    def _set_busy(self, busy: bool) -> None:
        self.accept_button.setEnabled(not busy)
        self.batch_button.setEnabled(not busy)
        self.abort_button.setEnabled(busy)

    # --- run events (bridge slot) ---------------------------------------------------------
    def on_run_event(self, event: Any) -> None:
        """Render one run event from the bridge."""
        if self._transfer_ids and getattr(event, "transfer_id", None) not in self._transfer_ids:
            return
        name = type(event).__name__
        if name == "Frame":
            self.show_frame(event.jpeg)
        elif name == "LogLine":
            self._log(event.at, f"{event.level:<7} {event.message}")
        elif name == "StepStarted":
            self._log(event.at, f"▶ {event.step}")
        elif name == "StepFinished":
            mark = "✔" if event.ok else "✘"
            self._log(event.at, f"{mark} {event.step} {event.detail}".rstrip())
        elif name == "RunFinished":
            self._log(event.at, f"■ outcome {event.outcome} → {event.status}")
        elif name == "TakeoverRequested":
            self._show_takeover(event)
        elif name == "OperatorCodeRequested":
            self._code_request = event
            self.code_label.setText(
                f"The verification code for {event.account} did not arrive by email. "
                "Type the code the portal sent:"
            )
            self.code_box.setVisible(True)
            self.code_edit.setFocus()

    def show_frame(self, jpeg: bytes) -> None:
        """Paint a live frame: decoded and scaled off the GUI thread, latest frame wins.

        While a frame is being decoded, or while the view is hidden, only the newest frame is
        kept; older ones are dropped undecoded.
        """
        self.frames_received += 1
        self._next_frame = jpeg
        self._decode_next()

    def _decode_next(self) -> None:
        if self._decoding or self._next_frame is None or not self.frame_label.isVisible():
            return
        jpeg, self._next_frame = self._next_frame, None
        self._decoding = True
        size = self.frame_label.size()
        self._tasks.spawn(self._decode(jpeg, size.width(), size.height()))

    async def _decode(self, jpeg: bytes, width: int, height: int) -> None:
        try:
            decoded = await self._frames.call(_decode_scaled, jpeg, width, height)
            if decoded is not None:
                rgb, frame_width, frame_height = decoded
                image = QImage(rgb, frame_width, frame_height, 3 * frame_width,
                               QImage.Format.Format_RGB888)
                self.frame_label.setPixmap(QPixmap.fromImage(image))  # copies the pixels
                self.frames_shown += 1
        finally:
            self._decoding = False
        self._decode_next()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Paint the newest frame that arrived while the panel was hidden."""
        super().showEvent(event)
        self._decode_next()

    def _log(self, at: datetime, text: str) -> None:
        self.log_view.appendPlainText(f"{_clock(at)}  {text}")

    # --- takeover and codes ---------------------------------------------------------------
    def _show_takeover(self, event: Any) -> None:
        self._takeover = event
        self._takeover_started = None
        self.takeover_label.setText(
            f"<b>Your turn:</b> {event.reason}. Open the browser, finish by hand, then Hand back."
        )
        self.hand_back_button.setEnabled(False)
        self.takeover_box.setVisible(True)

    def _open_browser(self) -> None:
        if self._takeover is None or self._control is None:
            return
        self._takeover_started = datetime.now(UTC)
        self.hand_back_button.setEnabled(True)
        self._tasks.spawn(self._executor.call(self._control.open_browser, self._takeover.run_key))

    def _end_takeover(self, handed_back: bool, by_operator: bool = True) -> None:
        """Answer the run and audit the takeover (a prompt closed unopened by the batch's end
        is not a takeover: nothing to audit)."""
        event, self._takeover = self._takeover, None
        self.takeover_box.setVisible(False)
        if event is None:
            return
        event.answer.set("done" if handed_back else None)
        ended = datetime.now(UTC)
        opened, self._takeover_started = self._takeover_started, None
        started = opened or ended  # given up without opening: 0 s, still audited
        if self._control is not None and (by_operator or opened is not None):
            self._tasks.spawn(self._executor.call(
                self._control.record_takeover, event.transfer_id, started, ended,
                "handed_back" if handed_back else "gave_up",
            ))

    def _send_code(self) -> None:
        code = self.code_edit.text().strip()
        if code:
            self._answer_code(code)

    def _answer_code(self, code: str | None) -> None:
        request, self._code_request = self._code_request, None
        self.code_edit.clear()
        self.code_box.setVisible(False)
        if request is not None:
            request.answer.set(code)

    def shutdown(self) -> None:
        """Stop the frame decoder thread."""
        self._frames.shutdown()

    def _hide_prompts(self) -> None:
        if self._takeover is not None:
            self._end_takeover(False, by_operator=False)
        if self._code_request is not None:
            self._answer_code(None)
