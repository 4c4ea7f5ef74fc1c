"""The live frame at 100 %: a scrollable window that follows the run while it is open.

Owns the zoom window only; :class:`ui.live_frame.LiveFrameView` decodes the frames for it (one
page pixel per logical pixel, resampled to device pixels). Not modal: the run panel's prompts
stay usable. Esc (or the window's close button) closes it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from ui.widgets import named


class FrameZoom(QDialog):
    """The newest frame at its natural size, with scroll bars when it is larger than the window.

    Signals:
        opened(): the window was opened (the view decodes the newest frame for it).
    """

    opened = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Live browser at 100 %")
        self.setWindowTitle("Live browser — 100 %")
        self.image = named(QLabel(alignment=Qt.AlignmentFlag.AlignCenter), "Zoomed frame")
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

    def open_at(self, page: QSize) -> None:
        """Show the window sized for ``page`` (at most 90 % of the screen) and ask for a frame."""
        screen = (self.parentWidget() or self).screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() * 0.9
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        frame = self.scroll_area.frameWidth() * 2 + bar
        self.resize(min(page.width() + frame, room.width()),
                    min(page.height() + frame, room.height()))
        self.show()
        self.raise_()
        self.activateWindow()
        self.opened.emit()

    def show_pixmap(self, pixmap: QPixmap) -> None:
        """Paint ``pixmap`` at its logical size (its device pixel ratio already set)."""
        self.image.setPixmap(pixmap)
        self.image.resize(pixmap.deviceIndependentSize().toSize())
