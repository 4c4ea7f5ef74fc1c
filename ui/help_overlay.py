"""Keyboard shortcuts: one table of them, and an overlay that lists them (press ?)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

#: (key sequence, what it does) — the help overlay and the main window share this table.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("J / Down", "next transfer"),
    ("K / Up", "previous transfer"),
    ("Enter", "open the transfer's detail (Esc: back to the queue)"),
    ("A", "accept the current transfer in the browser"),
    ("Shift+A", "accept every selected transfer (batch)"),
    ("Esc", "abort the running batch / close this help / back to the queue"),
    ("O", "manual decision with evidence (override)"),
    ("C", "claim the current transfer"),
    ("R", "release your claim"),
    ("B", "open the accept link in your own browser"),
    ("Ctrl+Shift+C", "copy the order ref"),
    ("T", "open the latest run's trace"),
    ("Menu / Shift+F10", "the transfer's actions (as right-click)"),
    ("/", "search (Enter: go to the results)"),
    ("1 / 2 / 3", "views: All open, Needs review, Due soon"),
    ("F5", "reload the queue"),
    ("?", "show or hide this help"),
)


class HelpOverlay(QWidget):
    """A translucent sheet over the parent window listing :data:`SHORTCUTS`."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent
        self.setAccessibleName("Keyboard help")
        self.setVisible(False)
        rows = "".join(
            f"<tr><td align='right'><b>{key}</b>&nbsp;&nbsp;</td><td>{text}</td></tr>"
            for key, text in SHORTCUTS
        )
        label = QLabel(f"<h2>Keyboard shortcuts</h2><table cellpadding='4'>{rows}</table>"
                       "<p>Press <b>?</b> or <b>Esc</b> to close.</p>")
        label.setStyleSheet("color: white; font-size: 14px")
        layout = QVBoxLayout(self)
        layout.addWidget(label, alignment=Qt.AlignmentFlag.AlignCenter)
        parent.installEventFilter(self)

    def toggle(self) -> None:
        """Show or hide the overlay."""
        self.setVisible(not self.isVisible())
        if self.isVisible():
            self.setGeometry(self._host.rect())
            self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._host.rect())
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 190))
