"""``transferdesk worker`` as a real process: --once, NOTIFY wake-up, graceful SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from app.changefeed import CHANNEL
from app.db.models import Transfer, Worker
from tests.integration.automation.conftest import World


def _env(world: World, database_url: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRANSFERDESK_DATABASE_URL=database_url,
        TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
        TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"),
    )
    return env


def _worker(world: World, database_url: str, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "worker", *args],
        env=_env(world, database_url, tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )


def _wait_until_listening(world: World) -> None:
    """Until the worker's change feed has issued its LISTEN (its connection says so)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with world.engine.connect() as conn:
            if conn.execute(text(
                    "SELECT 1 FROM pg_stat_activity WHERE query = :listen"
                    " AND pid <> pg_backend_pid()"), {"listen": f"LISTEN {CHANNEL}"}).first():
                return
        time.sleep(0.2)
    raise AssertionError("the worker's change feed never listened")


def _statuses(world: World) -> dict[int, str]:
    with world.engine.connect() as conn:
        return dict(conn.execute(select(Transfer.id, Transfer.status)).all())  # type: ignore[arg-type]


def test_worker_once_accepts_everything_due(world: World, database_url: str,
                                            tmp_path: Path) -> None:
    account = world.account()
    made = [world.transfer(account) for _ in range(3)]

    proc = _worker(world, database_url, tmp_path, "--once", "--concurrency", "2", "--poll", "1",
                   "--role", "transferdesk_bot")
    output, _ = proc.communicate(timeout=240)

    assert proc.returncode == 0, output
    assert set(_statuses(world).values()) == {"verified"}, output
    counts = world.portal.accept_counts()
    assert [counts[sent.token] for _, sent in made] == [1, 1, 1]
    with world.engine.connect() as conn:
        workers = conn.execute(select(Worker.kind, Worker.stopped_at)).all()
    assert len(workers) == 1 and workers[0].kind == "worker" and workers[0].stopped_at
    assert (tmp_path / "data" / "browser").is_dir(), "storage state saved (encrypted)"


def test_worker_wakes_on_notify_and_stops_gracefully_on_sigterm(
    world: World, database_url: str, tmp_path: Path
) -> None:
    account = world.account()
    proc = _worker(world, database_url, tmp_path, "--poll", "600")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with world.engine.connect() as conn:
                if conn.execute(select(Worker.id)).first():
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("the worker never registered")
        _wait_until_listening(world)  # idle: LISTEN armed, the next poll 10 minutes away
        transfer_id, sent = world.transfer(account)
        deadline = time.monotonic() + 60
        while _statuses(world)[transfer_id] != "verified" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _statuses(world)[transfer_id] == "verified", "NOTIFY woke the idle worker"
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "stopped after 1 run(s)" in output
    with world.engine.connect() as conn:
        assert conn.execute(select(Worker.stopped_at)).scalar_one() is not None
    assert world.portal.accept_counts()[sent.token] == 1


def test_worker_without_a_browser_fails_with_one_clear_line(
    world: World, database_url: str, tmp_path: Path
) -> None:
    env = _env(world, database_url, tmp_path)
    env["TRANSFERDESK_BROWSER_PATH"] = str(tmp_path / "no-such-browser")
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "worker", "--once"], env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    last = proc.stderr.strip().splitlines()[-1]  # earlier lines are INFO logs
    assert last.startswith("transferdesk: error:") and "no-such-browser" in last
    assert "Traceback" not in proc.stderr
    with world.engine.connect() as conn:
        assert conn.execute(select(Worker.id)).first() is None, "never registered"
