"""What the Add and Edit portal-account dialogs share: the form, a one-line problem under it,
a status line, a busy bar while a blocking step runs in the executor, and Save / Cancel.

A problem is one line in the danger colour (readable in light and dark), the field it is about
gets the focus; while busy every input and Save are disabled.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.theme import Tone, palette_is_dark, tone_colour
from ui.widgets import named


class AccountFormDialog(QDialog):
    """A portal-account form; subclasses add rows to :attr:`form`, list their :attr:`inputs`,
    connect ``buttons.accepted`` and call :meth:`finish_layout`.

    Args:
        title: the window title.
        name: names the feedback widgets ("add account" -> "add account problem", …).
        save_text: the Save button's text.
    """

    def __init__(self, title: str, name: str, save_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.form = QFormLayout()
        #: The fields disabled while a blocking step runs.
        self.inputs: list[QWidget] = []
        self.error = named(QLabel(wordWrap=True), f"{name} problem")
        danger = tone_colour(Tone.DANGER, palette_is_dark(self.palette()))
        self.error.setStyleSheet(f"color: {danger.name()}")
        self.progress = named(QProgressBar(), f"{name} progress", visible=False)
        self.progress.setRange(0, 0)  # busy: the steps have no measurable progress
        self.status = named(QLabel(wordWrap=True), f"{name} status")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self, *between: QWidget) -> None:
        """Lay out the form, then ``between``, the feedback and the buttons."""
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        for widget in (*between, self.error, self.status, self.progress, self.buttons):
            layout.addWidget(widget)

    def _fail(self, message: str, field: QWidget | None = None) -> None:
        self.error.setText(message)
        self.status.clear()
        if field is not None:
            field.setFocus()

    def _busy(self, busy: bool, message: str = "") -> None:
        for widget in (*self.inputs, self.save_button):
            widget.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.status.setText(message)
