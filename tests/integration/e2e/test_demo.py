"""``transferdesk demo --self-test`` as a real process: the whole chain, then a clean stop.

Real everything: the embedded PostgreSQL, the sandbox portal, Dovecot, localstripe, Chromium
and the Secret Service keyring. Each process runs in its own session so the test can prove that
nothing it started (postgres, dovecot, localstripe, chromium) outlives it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.credentials import CredentialStore

RUNNING = re.compile(r"demo: running \(portal http://127\.0\.0\.1:(\d+), "
                     r"IMAP 127\.0\.0\.1:(\d+), stripe http://127\.0\.0\.1:(\d+)\)")


def _demo(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    env = dict(os.environ)
    env.update(TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    env.pop("TRANSFERDESK_DATABASE_URL", None)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "demo", *args], env=env, text=True,
            stdout=subprocess.PIPE, stderr=stderr, start_new_session=True,
        )
    return proc, log


def _ports(log: Path) -> list[int]:
    found = RUNNING.search(log.read_text(errors="replace"))
    assert found, "the demo never reported its ports"
    return [int(port) for port in found.groups()]


def _assert_nothing_left(proc: subprocess.Popen[str], ports: list[int]) -> None:
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no process of the demo's session group is left
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_self_test_runs_the_whole_chain_and_stops_cleanly(
    tmp_path: Path, keyring_service: str
) -> None:
    proc, log = _demo(tmp_path, "--self-test", "--count", "5", "--seed", "10")
    try:
        output, _ = proc.communicate(timeout=280)
    finally:
        _kill_group(proc)
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:] + output
    summary = json.loads(output.strip().splitlines()[-1])

    assert summary["ok"] is True
    assert summary["sent"] == summary["completed"] == 5
    assert summary["captured_on_stripe"] == summary["accepted_exactly_once"] == 5
    assert sum(summary["states"].values()) == 10 + 5
    assert summary["states"]["verified"] >= 5
    assert summary["escrow"]["captured"] == summary["states"]["verified"]
    assert summary["notices"].get("matched", 0) >= 5
    assert summary["runs"].get("accepted", 0) >= 5 and summary["stuck"] == []
    timings = summary["timings_s"]
    for step in ("email_to_matched", "email_to_verified", "email_to_captured"):
        assert 0 < timings[step]["p50"] <= timings[step]["p95"] <= timings[step]["max"]
    assert (timings["email_to_matched"]["max"] <= timings["email_to_verified"]["max"]
            <= timings["email_to_captured"]["max"])
    _assert_nothing_left(proc, _ports(log))
    store = CredentialStore(service=f"{keyring_service}-demo")
    assert store.get("mailbox:sandbox") is None and store.get("stripe:test") is None


def test_sigterm_stops_everything_the_demo_started(tmp_path: Path, keyring_service: str) -> None:
    proc, log = _demo(tmp_path, "--self-test", "--count", "1000", "--seed", "0")
    try:
        deadline = time.monotonic() + 120
        while "demo sender: sent" not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the demo never started sending"
            time.sleep(0.2)
        ports = _ports(log)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=120)
    finally:
        _kill_group(proc)
    text = log.read_text(errors="replace")
    assert proc.returncode == 130, text[-3000:]
    assert "demo: stopped database" in text and "demo: stopped sandbox portal" in text
    _assert_nothing_left(proc, ports)
    assert CredentialStore(service=f"{keyring_service}-demo").get("mailbox:sandbox") is None


def test_window_mode_opens_on_the_demo_and_stops_it_on_close(
    tmp_path: Path, keyring_service: str
) -> None:
    # QT_QPA_PLATFORM=offscreen is inherited from tests/conftest.py: a real window, no screen.
    proc, log = _demo(tmp_path, "--seed", "5", "--interval", "2", "--quit-after", "8")
    try:
        output, _ = proc.communicate(timeout=240)
    finally:
        _kill_group(proc)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, text[-3000:] + output
    assert "close the window to stop" in output
    assert "demo sender: sent" in text and "demo: stopped database" in text
    _assert_nothing_left(proc, _ports(log))
