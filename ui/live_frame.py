"""The live browser view of the run panel: JPEG frames decoded off the GUI thread.

Owns the frame label, its decoder thread and the newest undecoded frame: while a frame is being
decoded, or while the view is hidden, only the newest frame is kept.
"""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from ui.db_executor import ServiceExecutor, TaskGroup


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


class LiveFrameView(QLabel):
    """Shows the newest frame of the run, scaled to fit.

    Args:
        tasks: where the decoding coroutines run.
    """

    def __init__(self, tasks: TaskGroup, parent: QWidget | None = None) -> None:
        super().__init__("No run yet", parent, alignment=Qt.AlignmentFlag.AlignCenter)
        self._tasks = tasks
        self.frames_shown = 0
        self.frames_received = 0
        self._decoder = ServiceExecutor(max_workers=1)  # JPEG decoding, off the GUI thread
        self._decoding = False
        self._next_frame: bytes | None = None
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    def show_frame(self, jpeg: bytes) -> None:
        """Paint a live frame: decoded and scaled off the GUI thread, latest frame wins.

        While a frame is being decoded, or while the view is hidden, only the newest frame is
        kept; older ones are dropped undecoded.
        """
        self.frames_received += 1
        self._next_frame = jpeg
        self._decode_next()

    def _decode_next(self) -> None:
        if self._decoding or self._next_frame is None or not self.isVisible():
            return
        jpeg, self._next_frame = self._next_frame, None
        self._decoding = True
        size = self.size()
        self._tasks.spawn(self._decode(jpeg, size.width(), size.height()))

    async def _decode(self, jpeg: bytes, width: int, height: int) -> None:
        try:
            decoded = await self._decoder.call(_decode_scaled, jpeg, width, height)
            if decoded is not None:
                rgb, frame_width, frame_height = decoded
                image = QImage(rgb, frame_width, frame_height, 3 * frame_width,
                               QImage.Format.Format_RGB888)
                self.setPixmap(QPixmap.fromImage(image))  # copies the pixels
                self.frames_shown += 1
        finally:
            self._decoding = False
        self._decode_next()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Paint the newest frame that arrived while the view was hidden."""
        super().showEvent(event)
        self._decode_next()

    def shutdown(self) -> None:
        """Stop the decoder thread."""
        self._decoder.shutdown()
