"""The run panel's inline operator prompts: take over the browser, type a verification code.

Each prompt is a frame shown above the live view (never a modal dialog) and answers the run
through the event's own :class:`automation.runs.events.Answer`. The takeover prompt also audits
the takeover (who, when, how long) through the run control.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from automation.runs.desk_control import RunControl
from automation.runs.events import OperatorCodeRequested, TakeoverRequested
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named


class TakeoverPrompt(QFrame):
    """"Your turn": Open browser, then Hand back or Give up."""

    def __init__(self, control: RunControl | None, executor: ServiceExecutor,
                 tasks: TaskGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._control, self._executor, self._tasks = control, executor, tasks
        self._event: TakeoverRequested | None = None
        self._opened_at: datetime | None = None
        named(self, "takeoverBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(wordWrap=True)
        self.open_browser_button = QPushButton("Open browser")
        self.open_browser_button.clicked.connect(self._open_browser)
        self.hand_back_button = QPushButton("Hand back")
        self.hand_back_button.clicked.connect(lambda: self.end(True))
        self.give_up_button = QPushButton("Give up")
        self.give_up_button.clicked.connect(lambda: self.end(False))
        box = QHBoxLayout(self)
        box.addWidget(self.label, 1)
        for button in (self.open_browser_button, self.hand_back_button, self.give_up_button):
            box.addWidget(button)
        self.setVisible(False)

    @property
    def pending(self) -> bool:
        """True while a takeover waits for the operator."""
        return self._event is not None

    def ask(self, event: TakeoverRequested) -> None:
        """Show the prompt for ``event``."""
        self._event, self._opened_at = event, None
        self.label.setText(
            f"<b>Your turn:</b> {event.reason}. Open the browser, finish by hand, then Hand back."
        )
        self.hand_back_button.setEnabled(False)
        self.setVisible(True)

    def _open_browser(self) -> None:
        if self._event is None or self._control is None:
            return
        self._opened_at = datetime.now(UTC)
        self.hand_back_button.setEnabled(True)
        self._tasks.spawn(self._executor.call(self._control.open_browser, self._event.run_key))

    def end(self, handed_back: bool, by_operator: bool = True) -> None:
        """Answer the run and audit the takeover (a prompt closed unopened by the batch's end
        is not a takeover: nothing to audit)."""
        event, self._event = self._event, None
        self.setVisible(False)
        if event is None:
            return
        event.answer.set("done" if handed_back else None)
        ended = datetime.now(UTC)
        opened, self._opened_at = self._opened_at, None
        started = opened or ended  # given up without opening: 0 s, still audited
        if self._control is not None and (by_operator or opened is not None):
            self._tasks.spawn(self._executor.call(
                self._control.record_takeover, event.transfer_id, started, ended,
                "handed_back" if handed_back else "gave_up",
            ))


class CodePrompt(QFrame):
    """The verification code did not arrive by email: type it, or say you do not have it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._request: OperatorCodeRequested | None = None
        named(self, "codeBox")
        self.label = QLabel(wordWrap=True)
        self.edit = QLineEdit(placeholderText="verification code")
        self.edit.returnPressed.connect(self._send)
        send = QPushButton("Send code")
        send.clicked.connect(self._send)
        skip = QPushButton("I don't have it")
        skip.clicked.connect(lambda: self.answer(None))
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.edit)
        row.addWidget(send)
        row.addWidget(skip)
        self.setVisible(False)

    @property
    def pending(self) -> bool:
        """True while a code request waits for the operator."""
        return self._request is not None

    def ask(self, event: OperatorCodeRequested) -> None:
        """Show the prompt for ``event``."""
        self._request = event
        self.label.setText(
            f"The verification code for {event.account} did not arrive by email. "
            "Type the code the portal sent:"
        )
        self.setVisible(True)
        self.edit.setFocus()

    def _send(self) -> None:
        code = self.edit.text().strip()
        if code:
            self.answer(code)

    def answer(self, code: str | None) -> None:
        """Answer the request (None: the operator gives up) and hide."""
        request, self._request = self._request, None
        self.edit.clear()
        self.setVisible(False)
        if request is not None:
            request.answer.set(code)
