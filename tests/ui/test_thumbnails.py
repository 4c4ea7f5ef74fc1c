"""Evidence thumbnails and pasted-image PNGs are made in the image helper process.

A full-page screenshot decoded on a desk thread takes the GIL back about once per 8 KB of PNG
data, and under CPU load the GUI thread waits for it (see tests/perf/test_ui_stall_bench.py);
so the desk's own process must not decode at all. These tests use real Pillow, real processes.
"""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ui import thumbnails
from ui.thumbnails import images, png_bytes, thumbnail


def _tall_png(width: int = 320, height: int = 4000) -> bytes:
    """A tall screenshot-like PNG: white with a red top band."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((200, 0, 0), (0, 0, width, height // 10))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def helper() -> Iterator[thumbnails.ImageProcess]:
    """The desk's image helper, stopped after the test (the next user restarts it)."""
    yield images
    images.shutdown()


def _no_decoding_here(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("an image was decoded in the desk's own process")


def test_a_thumbnail_is_decoded_outside_the_desks_process(
    helper: thumbnails.ImageProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _tall_png()
    monkeypatch.setattr(Image, "open", _no_decoding_here)  # this process only
    image = thumbnail(data, 96, 72)
    assert image is not None and not image.isNull()
    assert (image.width(), image.height()) == (6, 72)  # 320 x 4000 fits 96 x 72 by its height
    assert image.pixelColor(3, 1).red() > 150 and image.pixelColor(3, 1).green() < 50
    assert image.pixelColor(3, 70).getRgb()[:3] == (255, 255, 255)


def test_a_pasted_image_is_encoded_outside_the_desks_process(
    helper: thumbnails.ImageProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rgba = bytes([10, 20, 30, 255]) * (40 * 30)
    monkeypatch.setattr(Image, "frombytes", _no_decoding_here)
    png = png_bytes(rgba, 40, 30)
    monkeypatch.undo()
    with Image.open(io.BytesIO(png)) as decoded:
        assert decoded.format == "PNG" and decoded.size == (40, 30)
        assert decoded.convert("RGBA").getpixel((5, 5)) == (10, 20, 30, 255)


def test_the_helper_runs_at_a_lower_priority_than_the_desk(
    helper: thumbnails.ImageProcess,
) -> None:
    assert helper.run(os.getpid) != os.getpid()
    assert helper.run(os.nice, 0) == os.nice(0) + thumbnails.HELPER_NICENESS


def test_not_an_image_gives_no_thumbnail(helper: thumbnails.ImageProcess) -> None:
    assert thumbnail(b"%PDF-1.4 not an image", 96, 72) is None
    assert thumbnail(_tall_png()[:200], 96, 72) is None  # truncated


def test_a_killed_helper_is_replaced_by_the_next_thumbnail(
    helper: thumbnails.ImageProcess,
) -> None:
    first = helper.run(os.getpid)
    os.kill(first, signal.SIGKILL)  # the helper this test started
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until it is gone (a zombie until reaped)
        try:
            os.kill(first, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{first}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            break
        time.sleep(0.05)
    image = thumbnail(_tall_png(), 96, 72)
    assert image is not None and image.height() == 72
    assert helper.run(os.getpid) not in (first, os.getpid())
