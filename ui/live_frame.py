"""The live browser view of the run panel: JPEG frames decoded and scaled off the GUI thread.

Owns the view, its decoder thread, the newest undecoded frame and the zoom window. The view
fills its width at the page's aspect ratio (``heightForWidth``: the panel's height follows), and
each frame is decoded and resampled once, straight to the view's size in device pixels (150 %
scaling included), so it is painted 1:1 and sharp; the decoder thread runs at nice 10. While a
frame is being decoded, or while the view is hidden, only the newest frame is kept. A click (or
Enter) opens the frame at 100 % in :class:`~ui.frame_zoom.FrameZoom`, which follows the live
frames while it is open.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.db_executor import ServiceExecutor, TaskGroup
from ui.frame_zoom import FrameZoom
from ui.widgets import named

#: The page's size before the first frame arrives (the sandbox's and a laptop's viewport).
DEFAULT_PAGE = QSize(1280, 800)
DECODER_NICENESS = 10


@dataclass(frozen=True)
class Scaled:
    """One decoded frame resampled to a target size: packed RGB."""

    rgb: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Decoded:
    """A frame's natural size and its images for each requested target size."""

    width: int
    height: int
    images: tuple[Scaled, ...]


def decode_frame(jpeg: bytes, targets: tuple[tuple[int, int], ...]) -> Decoded | None:
    """Decode a JPEG frame and resample it to fit each of ``targets`` (any thread).

    A target of ``(0, 0)`` means the frame's natural size. Pillow releases the GIL while it
    decodes and resizes (PySide's ``QImage`` holds it, which stalls the GUI thread even from a
    worker). Draft mode lets the JPEG decoder produce a reduced size directly when every
    target is small; Pillow's bilinear resampling (antialiased over the whole reduction, like
    Qt's SmoothTransformation) does the rest, once per target.

    Returns:
        the frame's natural size and one image per target, or None for an unreadable frame.
    """
    try:
        with Image.open(io.BytesIO(jpeg)) as frame:
            natural = frame.size
            fits = [_fit(natural, target) for target in targets]
            largest = max(fits, key=lambda size: size[0] * size[1])
            frame.draft("RGB", largest)  # e.g. a 1280x800 frame for a 570 px view: 1/2 scale
            rgb = frame.convert("RGB")
    except (OSError, ValueError):  # truncated or not an image: skip this frame
        return None
    images = []
    for size in fits:
        image = rgb if rgb.size == size else rgb.resize(size, Image.Resampling.BILINEAR)
        images.append(Scaled(image.tobytes(), image.width, image.height))
    return Decoded(natural[0], natural[1], tuple(images))


def _lower_priority() -> None:
    """Run this (decoder) thread at nice 10: on a busy machine the GUI thread goes first."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODER_NICENESS)


def _fit(natural: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    width, height = target
    if width <= 0 or height <= 0:
        return natural
    ratio = min(width / natural[0], height / natural[1])
    fit = max(1, round(natural[0] * ratio)), max(1, round(natural[1] * ratio))
    if abs(fit[0] - width) <= 1 and abs(fit[1] - height) <= 1:
        return width, height  # the view is at the page's aspect but for rounding: fill it
    return fit


def to_pixmap(image: Scaled, device_pixel_ratio: float) -> QPixmap:
    """A pixmap of ``image`` painted at ``1 / device_pixel_ratio`` logical pixels per pixel."""
    qimage = QImage(image.rgb, image.width, image.height, 3 * image.width,
                    QImage.Format.Format_RGB888)
    pixmap = QPixmap.fromImage(qimage)  # copies the pixels
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


class LiveFrameView(QWidget):
    """The newest frame of the run, as wide as the view, at the page's aspect ratio.

    Args:
        tasks: where the decoding coroutines run.
    """

    def __init__(self, tasks: TaskGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.frames_shown = 0
        self.frames_received = 0
        self.rescales = 0  # re-decodes of the newest frame after a resize (not new frames)
        self._decoder = ServiceExecutor(max_workers=1)  # JPEG decoding, off the GUI thread
        self._decoder_niced = False
        self._decoding = False
        self._next_frame: bytes | None = None
        self._stale = False  # the newest frame must be resampled for a new size
        self._last_frame: bytes | None = None
        self._pixmap: QPixmap | None = None
        self.page_size = QSize(DEFAULT_PAGE)
        self.zoom = FrameZoom(self)
        self.zoom.opened.connect(self._rescale)
        named(self, "Live browser view")
        self.setToolTip("Click (or press Enter) to see the page at 100 %")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumWidth(160)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        self.setAutoFillBackground(True)

    # --- geometry -------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        """The height follows the width (the page's aspect ratio)."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        """``width`` at the page's aspect ratio."""
        return max(1, round(width * self.page_size.height() / self.page_size.width()))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """A comfortable first size at the page's aspect ratio."""
        return QSize(640, self.heightForWidth(640))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Never narrower than 160 px; the height follows."""
        return QSize(160, self.heightForWidth(160))

    def device_size(self) -> QSize:
        """The view's size in device pixels (what a frame is resampled to)."""
        ratio = self.devicePixelRatioF()
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    # --- frames ---------------------------------------------------------------------------
    def pixmap(self) -> QPixmap | None:
        """The frame painted now (None before the first one)."""
        return self._pixmap

    def show_frame(self, jpeg: bytes) -> None:
        """Paint a live frame: decoded and scaled off the GUI thread, latest frame wins.

        While a frame is being decoded, or while the view is hidden, only the newest frame is
        kept; older ones are dropped undecoded.
        """
        self.frames_received += 1
        self._next_frame = jpeg
        self._decode_next()

    def _rescale(self) -> None:
        """Decode the newest frame again for a new size (a resize, the zoom opened)."""
        self._stale = True
        self._decode_next()

    def _decode_next(self) -> None:
        if self._decoding or not self.isVisible():
            return
        new = self._next_frame is not None
        jpeg = self._next_frame if new else self._last_frame if self._stale else None
        if jpeg is None:
            return
        self._next_frame, self._stale = None, False
        self._decoding = True
        size = self.device_size()
        targets = [(size.width(), size.height())]
        zoom_ratio = self.zoom.devicePixelRatioF()
        if self.zoom.isVisible():  # 100 %: one page pixel per logical pixel of the zoom
            targets.append((round(self.page_size.width() * zoom_ratio),
                            round(self.page_size.height() * zoom_ratio)))
        self._tasks.spawn(self._decode(jpeg, tuple(targets), new,
                                       self.devicePixelRatioF(), zoom_ratio))

    async def _decode(self, jpeg: bytes, targets: tuple[tuple[int, int], ...], new: bool,
                      ratio: float, zoom_ratio: float) -> None:
        try:
            if not self._decoder_niced:  # once, on the decoder's own thread
                await self._decoder.call(_lower_priority)
                self._decoder_niced = True
            decoded = await self._decoder.call(decode_frame, jpeg, targets)
            if decoded is not None:
                self._last_frame = jpeg
                self._pixmap = to_pixmap(decoded.images[0], ratio)
                if new:
                    self.frames_shown += 1
                else:
                    self.rescales += 1
                if len(decoded.images) > 1:
                    self.zoom.show_pixmap(to_pixmap(decoded.images[1], zoom_ratio))
                self._set_page_size(QSize(decoded.width, decoded.height))
                self.update()
        finally:
            self._decoding = False
        self._decode_next()

    def _set_page_size(self, size: QSize) -> None:
        if size != self.page_size:
            self.page_size = size
            self.updateGeometry()  # the height follows the new aspect ratio
            self._rescale()

    # --- Qt events ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        """The frame 1:1 when its size matches (else scaled to fit until it is re-decoded)."""
        painter = QPainter(self)
        pixmap = self._pixmap
        if pixmap is None:
            painter.setPen(self.palette().color(QPalette.ColorRole.BrightText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No run yet")
            return
        logical = pixmap.deviceIndependentSize()
        scale = min(self.width() / logical.width(), self.height() / logical.height())
        if abs(scale - 1.0) < 0.01:
            scale = 1.0
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        width, height = logical.width() * scale, logical.height() * scale
        target = QRectF(QPointF((self.width() - width) / 2, (self.height() - height) / 2),
                        QPointF((self.width() + width) / 2, (self.height() + height) / 2))
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        """A new size: resample the newest frame for it (from the JPEG, not the old pixmap)."""
        super().resizeEvent(event)
        if self._pixmap is not None and self._pixmap.size() != self.device_size():
            self._rescale()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Paint the newest frame that arrived while the view was hidden."""
        super().showEvent(event)
        self._decode_next()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        """A left click opens the zoom."""
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.open_zoom()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Enter or Space opens the zoom."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.open_zoom()
        else:
            super().keyPressEvent(event)

    def open_zoom(self) -> None:
        """Show the newest frame at 100 % (scrollable; Esc closes)."""
        if self._last_frame is not None:
            self.zoom.open_at(self.page_size)

    def shutdown(self) -> None:
        """Stop the decoder thread."""
        self.zoom.close()
        self._decoder.shutdown()
