"""The desk's start-up does not load libraries it needs only later: the ``stripe`` library
(with aiohttp, about a quarter of a second) is loaded when an escrow gateway is opened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LATER = ("stripe", "aiohttp")


def test_opening_the_desk_window_module_loads_no_payment_library() -> None:
    probe = ("import sys; import ui.main_window, app.escrow.service; "
             f"print(sorted(m for m in {LATER!r} if m in sys.modules))")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.strip()
    assert out == "[]"
