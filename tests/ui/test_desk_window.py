"""The main window in a real X window (xcb on a private Xvfb): every triage command from the
toolbar, the Transfer menu and the context menu; the disabled reasons; the layout across a
restart; the keyboard-only triage loop; and a 150 % scale smoke in dark mode.

Each scenario runs ``tests/ui/desk_window_driver.py`` in its own process (the test process's
Qt is offscreen) on the real database, change feed, keyring and run control.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.domain.records import NewTransfer
from app.evidence import EvidenceStore, Upload
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from tests.fixtures.xvfb import XServer

SITE = "http://127.0.0.1:9/"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _trace_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("trace.trace", '{"type":"context-options"}\n')
    return buffer.getvalue()


@pytest.fixture
def desk_data(engine: Engine) -> dict[str, int]:
    """Five transfers, one per case: ready (with a trace), next, waiting, verified, held."""
    service = TransferService(engine, "seed")
    account = service.add_account("paciolan", SITE, "desk@example.com", "Main account")
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    versions: dict[str, int] = {}
    for hours, ref in enumerate(("ORD-READY", "ORD-NEXT", "ORD-WAIT", "ORD-DONE", "ORD-HELD")):
        full = service.create(NewTransfer(
            order_ref=ref, event_name=f"Game {ref[4:].title()}", account_id=account.id,
            seller_name="Kelly Marsh", seller_email="kelly@example.com", venue="Stadium",
            section="1A", row="12", seats=("7", "8"),
            accept_by=now + timedelta(hours=hours + 2)))
        ids[ref] = full.row.id
        if ref != "ORD-WAIT":
            full = service.mark_notice_received(
                full.row.id, accept_url=f"{SITE}transfer/accept?t=tok-{ref.lower()}",
                transfer_ref=f"T-{ref}", accept_by=None)
        versions[ref] = full.row.version
    EvidenceStore(engine, "tests").put("trace", "run-trace.zip", _trace_zip(), ids["ORD-READY"])
    service.manual_verify(ids["ORD-DONE"], versions["ORD-DONE"], "seen in My Account",
                          uploads=[Upload("my-account.png", _png())])
    ClaimService(engine, "desk-2").claim("desk-2", transfer_id=ids["ORD-HELD"])
    return ids


def _drive(scenario: str, database_url: str, xvfb: XServer, work: Path,
           **extra_env: str) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb", **extra_env}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.desk_window_driver", scenario, database_url,
         str(work)], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_action_from_the_toolbar_the_menu_and_the_context_menu(
    desk_data: dict[str, int], database_url: str, xvfb: XServer, tmp_path: Path
) -> None:
    shown = _drive("actions", database_url, xvfb, tmp_path)
    assert shown["platform"] == "xcb" and shown["visible"]
    reasons = shown["reasons"]
    assert reasons["nothing selected"] == "Claim (C)\nselect a transfer"
    assert reasons["ORD-WAIT accept"] == [False, "Accept (A)\nno notice yet"]
    assert reasons["ORD-DONE claim"] == [False, "Claim (C)\nalready verified"]
    enabled, held = reasons["ORD-HELD claim"]
    assert not enabled and held.startswith("Claim (C)\nclaimed by desk-2 until ")
    assert reasons["ORD-NEXT open_trace"] == [False, "Open trace (T)\nno trace recorded"]
    assert set(shown["done"]) == {"toolbar", "menu", "context"}
    for place, seen in shown["done"].items():
        assert seen[0] == "copy_ref", place
        assert seen[1] == f"open_link {SITE}transfer/accept?t=tok-ord-ready", place
        assert seen[2].startswith("open_trace http://127.0.0.1:"), place
        assert seen[3] == "decide Manual decision — ORD-READY", place
        assert seen[4] == "Claimed ORD-READY" and seen[5] == "Released ORD-READY", place
        assert seen[6].startswith("accept ORD-READY"), place
        assert seen[7] == "accept_selected ORD-READY | ORD-NEXT", place


def test_the_layout_comes_back_after_a_restart(
    desk_data: dict[str, int], database_url: str, xvfb: XServer, tmp_path: Path
) -> None:
    first = _drive("layout-save", database_url, xvfb, tmp_path)
    again = _drive("layout-restore", database_url, xvfb, tmp_path)
    saved, restored = first["saved"], again["restored"]
    assert first["first_run"]["geometry"][2:] == [1024, 720]  # 80 % of the 1280 x 900 screen
    assert saved["order"][0] == 10 and saved["event_width"] == 333
    assert restored == saved


def test_the_keyboard_only_triage_loop(
    desk_data: dict[str, int], database_url: str, xvfb: XServer, tmp_path: Path
) -> None:
    shown = _drive("keyboard", database_url, xvfb, tmp_path)
    assert shown["steps"] == [
        "focus ORD-READY",
        "J ORD-NEXT focus=Transfer queue",
        "Down ORD-WAIT",
        "K ORD-NEXT",
        "Enter tab=Detail focus=Timeline",
        "Esc focus=Transfer queue",
        "/ focus=Search",
        "Return rows=1 focus=Transfer queue",
        "C Claimed ORD-NEXT",
        "R Released ORD-NEXT",
        "A tab=Run",
        "O Manual decision — ORD-NEXT",
        "2 view=Needs review",
        "1 view=All open",
    ]
    assert shown["focus_visible"]


@pytest.mark.parametrize(("screen", "logical"), [("xvfb", [853, 600]),
                                                ("xvfb_small_screen", [911, 512])])
def test_at_150_percent_in_dark_mode_nothing_is_clipped(
    desk_data: dict[str, int], database_url: str, screen: str, logical: list[int],
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """1280 x 900 and a small laptop's 1366 x 768, both at 1.5: every command in sight, no
    filter below its minimum, and a search box that shows a whole order ref or name."""
    server: XServer = request.getfixturevalue(screen)
    shown = _drive("scaled", database_url, server, tmp_path, QT_SCALE_FACTOR="1.5")
    assert shown["ratio"] == 1.5 and shown["screen"] == logical
    assert shown["search_room"] >= shown["sample_width"], shown
    assert shown["count_shown"], shown
    assert shown["clipped"] == [] and not shown["extension_shown"]
    assert shown["too_small"] == [] and shown["at_least_minimum"] and shown["fits_screen"]
    assert shown["unnamed"] == []
    assert shown["dark"] and shown["text_light"]


def test_the_screenshot_functions_for_the_docs_run(
    desk_data: dict[str, int], database_url: str, xvfb: XServer, tmp_path: Path
) -> None:
    shown = _drive("shots", database_url, xvfb, tmp_path)
    assert set(shown["sizes"]) == {"transfer-toolbar", "transfer-menu", "disabled-reason",
                                   "context-menu"}
    assert all(w > 100 and h > 100 for w, h in shown["sizes"].values())
    assert shown["status"].startswith("Claim: claimed by desk-2 until ")
