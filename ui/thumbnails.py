"""Image decoding for the desk that never stalls the GUI thread.

PySide's ``QImage.fromData`` / ``QImage.save`` hold the GIL for the whole decode or encode, so
even on a worker thread a full-page screenshot (1280 x 16000 px) freezes the window for a second
or more. Pillow releases the GIL while it decodes, scales and encodes: these helpers do the heavy
part with Pillow on any thread and hand the GUI thread a small :class:`QImage` (or PNG bytes).
"""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtGui import QImage


def thumbnail(data: bytes, width: int, height: int) -> QImage | None:
    """A thumbnail that fits ``width`` x ``height`` (any thread); None when not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (width, height))  # JPEG: decode at a reduced size directly
            image.thumbnail((width, height), Image.Resampling.BILINEAR)
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    pixels = rgb.tobytes()
    return QImage(pixels, rgb.width, rgb.height, 3 * rgb.width,
                  QImage.Format.Format_RGB888).copy()  # copy: own the pixels


def raw_rgba(image: QImage) -> tuple[bytes, int, int]:
    """The pixels of ``image`` as packed RGBA (on the GUI thread: a fast copy, no encoding)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    stride = rgba.bytesPerLine()
    data = bytes(rgba.constBits())
    width, height = rgba.width(), rgba.height()
    if stride != 4 * width:  # drop row padding
        data = b"".join(data[y * stride:y * stride + 4 * width] for y in range(height))
    return data, width, height


def png_bytes(rgba: bytes, width: int, height: int) -> bytes:
    """Encode packed RGBA as PNG (any thread; Pillow releases the GIL)."""
    out = io.BytesIO()
    Image.frombytes("RGBA", (width, height), rgba).save(out, "PNG")
    return out.getvalue()
