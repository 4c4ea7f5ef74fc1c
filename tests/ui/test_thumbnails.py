"""Evidence thumbnails and pasted-image PNGs are made in the image helper process.

A full-page screenshot decoded on a desk thread takes the GIL back about once per 8 KB of PNG
data, and under CPU load the GUI thread waits for it (see tests/perf/test_ui_stall_bench.py);
so the desk's own process must not decode at all, and the detail pane fetches one screenshot
at a time. These tests use real Pillow, real processes and the real database.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.evidence import EvidenceStore
from tests.ui.conftest import seed_transfers
from ui import thumbnails
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.detail_pane import EVIDENCE_ID_ROLE, DetailPane
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


def test_the_detail_pane_shows_each_screenshots_thumbnail(
    qtbot: Any, run: Any, until: Any, engine: Any, backend: Any, account_id: int,
    helper: thumbnails.ImageProcess,
) -> None:
    transfer_id = seed_transfers(engine, 1, account_id)[0]
    store = EvidenceStore(engine, "tests")
    shots = {store.put("screenshot", f"page-{i}.png", _tall_png(height=1000 + i), transfer_id).id
             for i in range(3)}
    executor, tasks = ServiceExecutor(2), TaskGroup()
    pane = DetailPane(backend, executor, tasks)
    qtbot.addWidget(pane)

    def red_top(item: Any) -> bool:
        image = item.icon().pixmap(96, 72).toImage()
        return not image.isNull() and image.pixelColor(image.width() // 2, 1).green() < 50

    try:
        run(pane.load(transfer_id))
        items = [pane.evidence.item(i) for i in range(pane.evidence.count())]
        assert {item.data(EVIDENCE_ID_ROLE) for item in items} == shots
        until(lambda: all(red_top(item) for item in items))
    finally:
        pane.shutdown()
        executor.shutdown(wait=True)


def test_showing_another_transfer_drops_the_previous_ones_thumbnails(
    qtbot: Any, run: Any, until: Any, engine: Any, backend: Any, account_id: int,
    helper: thumbnails.ImageProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each screenshot can weigh MBs: flipping through the queue must not fetch them all."""
    first, second = seed_transfers(engine, 2, account_id)
    store = EvidenceStore(engine, "tests")
    for i in range(5):
        store.put("screenshot", f"first-{i}.png", _tall_png(height=900 + i), first)
    store.put("screenshot", "second.png", _tall_png(), second)
    fetched: list[int] = []
    gate = threading.Event()
    content = backend.evidence_content

    def evidence_content(evidence_id: int) -> bytes:  # the real read, held until released
        fetched.append(evidence_id)
        gate.wait(10)
        return content(evidence_id)

    monkeypatch.setattr(backend, "evidence_content", evidence_content)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    pane = DetailPane(backend, executor, tasks)
    qtbot.addWidget(pane)
    try:
        run(pane.load(first))
        until(lambda: len(fetched) >= 1)
        run(pane.load(second))
        gate.set()
        until(lambda: not tasks._tasks)
        first_ids = {e.id for e in backend.detail(first).evidence}
        assert len([i for i in fetched if i in first_ids]) == 1  # only the one in flight
        assert pane.detail.transfer.row.id == second
        assert fetched[-1] not in first_ids
    finally:
        gate.set()
        pane.shutdown()
        executor.shutdown(wait=True)
