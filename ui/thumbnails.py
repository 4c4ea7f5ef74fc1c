"""Image decoding for the desk that never stalls the GUI thread: it runs in a helper process.

A full-page screenshot (1280 x 16000 px PNG, ~7 MB) takes half a second of CPU to decode. On a
worker thread, even with Pillow (which releases the GIL while it inflates), the decode takes the
GIL back about a thousand times (once per 8 KB IDAT chunk, as Pillow feeds its decoder); under
CPU load the thread is often descheduled while it holds it, and the GUI thread waits: measured
gaps of 20-190 ms at a load of 4.5 on two cores (``QImage.fromData`` holds it for the whole
decode: 430 ms). So images are decoded, scaled and PNG-encoded in one helper process (spawned
on first use: no fork of a threaded Qt process; the frozen bundle's entry point calls
``multiprocessing.freeze_support()``), at a lower CPU priority so that on a busy machine the
scheduler serves the window first. The desk's process only sends the bytes and gets back a
small packed-RGB thumbnail; its GIL is never held for more than a copy.

The blocking helpers (:func:`thumbnail`, :func:`png_bytes`) are for worker threads (the
:class:`~ui.db_executor.ServiceExecutor`). Qt is imported only inside the Qt-facing helpers, so
the helper process never loads it.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar

from PIL import Image

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

log = logging.getLogger(__name__)
T = TypeVar("T")
HELPER_NICENESS = 10  # CFS weight 110 against the desk's 1024


def decode_thumbnail(data: bytes, width: int, height: int) -> tuple[bytes, int, int] | None:
    """Packed RGB pixels of a thumbnail fitting ``width`` x ``height`` (None: not an image).

    Runs in the helper process (any process will do)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (width, height))  # JPEG: decode at a reduced size directly
            image.thumbnail((width, height), Image.Resampling.BILINEAR)
            rgb = image.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return rgb.tobytes(), rgb.width, rgb.height


def encode_png(rgba: bytes, width: int, height: int) -> bytes:
    """PNG of packed RGBA pixels (runs in the helper process)."""
    out = io.BytesIO()
    Image.frombytes("RGBA", (width, height), rgba).save(out, "PNG")
    return out.getvalue()


def _lower_priority() -> None:
    """The helper yields the CPU to the desk: on a loaded machine the window is served first."""
    if hasattr(os, "nice"):
        os.nice(HELPER_NICENESS)


class ImageProcess:
    """One helper process for image work, started on first use and restarted if it dies.

    Calls block the calling (worker) thread until the helper answers; they are served one at a
    time, so at most one full-size image is in memory. If no process can be started at all, the
    work runs on the calling thread (slower for the GUI, never wrong)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the helper process (``fn`` a module-level function)."""
        for _attempt in range(2):  # a helper that died (killed, out of memory) is replaced once
            pool = self._started()
            if pool is None:
                return fn(*args)
            try:
                future = pool.submit(fn, *args)
            except BrokenProcessPool:
                self._discard(pool)
                continue
            except (OSError, RuntimeError):  # cannot spawn, or shut down meanwhile
                log.warning("no image helper process; working in-process", exc_info=True)
                self._discard(pool)
                return fn(*args)
            try:
                return future.result()
            except BrokenProcessPool:
                log.warning("the image helper process died; starting a new one")
                self._discard(pool)
        raise BrokenProcessPool("the image helper process died twice on the same image")

    def shutdown(self) -> None:
        """Stop the helper process (waits for the image it is working on)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None:
                try:
                    self._pool = ProcessPoolExecutor(
                        max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                        initializer=_lower_priority)
                except (OSError, ValueError, NotImplementedError):
                    log.warning("no image helper process; working in-process", exc_info=True)
                    return None
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


images = ImageProcess()  # the desk's one helper; MainWindow's closers stop it


def thumbnail(data: bytes, width: int, height: int) -> QImage | None:
    """A thumbnail that fits ``width`` x ``height`` (worker thread); None when not an image."""
    from PySide6.QtGui import QImage

    try:
        decoded = images.run(decode_thumbnail, data, width, height)
    except BrokenProcessPool:  # the image kills its decoder: show no thumbnail
        log.warning("could not decode an image for its thumbnail", exc_info=True)
        return None
    if decoded is None:
        return None
    pixels, w, h = decoded
    return QImage(pixels, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # own the pixels


def raw_rgba(image: QImage) -> tuple[bytes, int, int]:
    """The pixels of ``image`` as packed RGBA (on the GUI thread: a fast copy, no encoding)."""
    from PySide6.QtGui import QImage

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    stride = rgba.bytesPerLine()
    data = bytes(rgba.constBits())
    width, height = rgba.width(), rgba.height()
    if stride != 4 * width:  # drop row padding
        data = b"".join(data[y * stride:y * stride + 4 * width] for y in range(height))
    return data, width, height


def png_bytes(rgba: bytes, width: int, height: int) -> bytes:
    """Encode packed RGBA as PNG (worker thread; the encoding runs in the helper process)."""
    return images.run(encode_png, rgba, width, height)
