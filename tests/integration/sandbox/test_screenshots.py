"""The docs' screenshot walk (automation.sandbox.screenshots) still reaches every page."""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import Browser

from automation.sandbox.screenshots import SHOTS, capture


def test_capture_writes_one_png_per_page(browser: Browser, tmp_path: Path) -> None:
    saved = capture(tmp_path, browser)
    assert sorted(p.stem for p in saved) == sorted(SHOTS)
    for path in saved:
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == (1000, 700)
