"""The readable queue and the live frame in a real window on a private X server (xcb), at 100 %
and at 150 % scaling: chips painted in the status colours (light and dark), the Due text
narrowed by meaning, the row tooltip, the frame filling the panel's width at the page's aspect
ratio in device pixels, and the zoom opened by a click and closed by Esc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from automation.demo.transfers import insert_demo
from tests.fixtures.xvfb import XServer

PAGE_ASPECT = 800 / 1280


def _drive(database_url: str, xvfb: XServer, scale: str) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb",
           "QT_SCALE_FACTOR": scale}
    proc = subprocess.run([sys.executable, "-m", "tests.ui.readable_desk_driver", database_url],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_queue_chips_due_tooltip_and_live_frame_in_a_real_window(
    database_url: str, xvfb: XServer, scale: str,
) -> None:
    insert_demo(database_url, 80)
    shown = _drive(database_url, xvfb, scale)
    queue, frame = shown["queue"], shown["frame"]
    assert queue["platform"] == "xcb" and queue["ratio"] == pytest.approx(float(scale))

    for mode in ("queue", "dark_queue"):
        for key, chip in shown[mode]["chips"].items():
            assert chip["dark"] is (mode == "dark_queue")
            assert chip["fill_share"] > 0.15, f"{mode} {key}: the chip's fill is painted"
            assert chip["ink_share"] > 0.003, f"{mode} {key}: icon and label in the chip's ink"
            assert chip["other_variant_share"] < 0.01, f"{mode} {key}: not the other variant"

    due = queue["due"]
    variants = due["variants"]
    assert due["wide"] == due["model"] == variants[0]
    assert due["narrow"] in variants[1:], "narrow: a shorter wording, not a cut one"
    assert "…" not in due["narrow"]

    tooltip = queue["tooltip"].splitlines()
    assert tooltip[0].endswith(": needs review")
    labels = [line.split(":")[0] for line in tooltip[1:]]
    for label in ("Due", "Event", "Seats", "Held by", "Last outcome"):
        assert label in labels
    due_line = next(line for line in tooltip if line.startswith("Due: "))
    assert any(kind in due_line for kind in ("accept window closes", "event starts",
                                             "buyer's hold expires", "no deadline known"))

    ratio = frame["ratio"]
    assert ratio == pytest.approx(float(scale))
    first, second = frame["widths"]
    for shot in (first, second):
        width, height = shot["frame"]
        assert width == shot["viewport"], "the frame fills the panel's width"
        assert abs(height - round(width * PAGE_ASPECT)) <= 1, "at the page's aspect ratio"
        assert shot["pixmap"] == shot["device"], "decoded once, at the device-pixel size"
        assert shot["pixmap"][0] == pytest.approx(width * ratio, abs=1)
        assert shot["pixmap_ratio"] == pytest.approx(ratio)
    assert second["frame"][0] < first["frame"][0], "a narrower panel, a smaller frame"

    zoom = frame["zoom"]
    assert zoom["visible"] and not zoom["modal"]
    assert zoom["image"] == [1280, 800], "100 %: one page pixel per logical pixel"
    assert zoom["pixmap"] == [round(1280 * ratio), round(800 * ratio)]
    assert zoom["scrollable"] or zoom["window"][0] >= 1280
    assert zoom["closed_by_esc"]
