"""The inline verification-code row a sign-in shows when the mailbox did not deliver the code.

Owns the row (label, code field, Submit) and the pending :class:`Answer` of the sign-in waiting
for it: one prompt at a time, an older one is declined; declining or submitting hides the row.
Used by Settings' portal tab and the accounts view.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from automation.runs.events import Answer
from ui.widgets import named

ASK_TEXT = ("The portal asks for the code it just emailed (the mailbox did not deliver it): "
            "type it and press Submit code.")
SENT_TEXT = "Code sent; signing in…"


class CodePrompt(QWidget):
    """A hidden row that asks for one code at a time (:meth:`ask`) and hands it over."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.edit = named(QLineEdit(), "verification code")
        self.edit.setPlaceholderText("6-digit code")
        self.button = named(QPushButton("Submit code"), "Submit code")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.edit, self.button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._pending: Answer | None = None
        self.hide()

    def ask(self, account: str, answer: Answer) -> None:
        """Show the row for ``answer`` (an older pending prompt is declined)."""
        self.close_prompt(None)
        self._pending = answer
        self.label.setText(f"Code sent to {account}:")
        self.edit.clear()
        self.show()
        self.edit.setFocus()

    def submit(self) -> bool:
        """Hand the typed code to the waiting sign-in; False when nothing was waiting or typed."""
        code = self.edit.text().strip()
        if self._pending is None or not code:
            return False
        self.close_prompt(code)
        return True

    def decline(self) -> None:
        """Answer the waiting sign-in with no code (it ends), without touching the widgets."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.set(None)

    def close_prompt(self, code: str | None) -> None:
        """Answer the waiting sign-in (``code`` or None) and hide the row."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.set(code)
        self.hide()
        self.edit.clear()
