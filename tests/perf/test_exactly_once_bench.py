"""Exactly-once under crashes: worker processes are kill -9'd in a loop while they accept.

At TRANSFERDESK_PERF_SCALE=1: 8 workers and 2,000 transfers. By default the transfer count is
scaled to 3% (60) so the run stays near three minutes on a 2-core machine (8 Chromiums). Every
few seconds a random worker's whole process group (Python, Playwright driver, Chromium) gets
SIGKILL and a fresh worker starts. At the end every transfer must be verified, accepted exactly
once according to the sandbox's accept counter, with nothing stuck and nothing lost.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.credentials import CredentialStore
from app.db.models import Transfer
from automation.sandbox.portal import SandboxPortal
from tests.integration.automation.conftest import SITE, MailRouter, World
from tests.perf.report import report, scale

pytestmark = pytest.mark.perf
WORKERS = 8
LEASE_SECONDS = 10
SECONDS_PER_TRANSFER_LIMIT = 4.5  # generous: the 60-transfer default runs at ~22/min
PROGRESS_EVERY = 60.0


def _total() -> int:
    return max(8, round(2000 * scale(0.03)))


def _time_limit(total: int) -> float:
    return max(420.0, total * SECONDS_PER_TRANSFER_LIMIT)


def _start_worker(env: dict[str, str], log_dir: Path, index: int) -> subprocess.Popen[bytes]:
    log = open(log_dir / f"worker-{index}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "--log-level", "WARNING", "worker",
         "--poll", "2", "--lease", str(LEASE_SECONDS), "--min-interval", "0.05"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    return proc


def _kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(  # type: ignore[arg-type]
            select(Transfer.status, func.count()).group_by(Transfer.status)).all())


@pytest.mark.timeout(_time_limit(_total()) + 240)  # the limit above plus set-up and teardown
def test_exactly_once_with_workers_killed_in_a_loop(
    engine: Engine, database_url: str, credential_store: CredentialStore, tmp_path: Path
) -> None:
    total = _total()
    rng = random.Random(5)
    time_limit = _time_limit(total)
    with SandboxPortal() as portal:
        portal.add_site(SITE, "State University Athletics")
        world = World(portal, None, engine, credential_store,  # type: ignore[arg-type]
                      tmp_path / "journal", MailRouter())
        account = world.account()
        tokens = {world.transfer(account)[1].token for _ in range(total)}
        env = dict(os.environ)
        env.update(TRANSFERDESK_DATABASE_URL=database_url,
                   TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
                   TRANSFERDESK_CONFIG=str(tmp_path / "none.toml"))
        started = time.monotonic()
        launched = 0
        workers: list[subprocess.Popen[bytes]] = []
        for _ in range(WORKERS):
            workers.append(_start_worker(env, tmp_path, launched))
            launched += 1
        kills = 0
        next_kill = started + rng.uniform(3, 6)
        next_progress = started + PROGRESS_EVERY
        try:
            while time.monotonic() - started < time_limit:
                counts = _counts(engine)
                if time.monotonic() >= next_progress:  # long runs: show they are alive
                    next_progress += PROGRESS_EVERY
                    print(f"exactly_once: {time.monotonic() - started:.0f}s, kills {kills}, "
                          f"statuses {counts}", flush=True)
                if counts.get("verified", 0) + counts.get("needs_review", 0) >= total:
                    break
                if time.monotonic() >= next_kill:
                    victim = workers.pop(rng.randrange(len(workers)))
                    _kill_group(victim, signal.SIGKILL)
                    victim.wait()
                    kills += 1
                    workers.append(_start_worker(env, tmp_path, launched))
                    launched += 1
                    next_kill = time.monotonic() + rng.uniform(3, 6)
                time.sleep(0.5)
            elapsed = time.monotonic() - started
        finally:
            for proc in workers:
                _kill_group(proc, signal.SIGTERM)
            for proc in workers:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    _kill_group(proc, signal.SIGKILL)
                    proc.wait()
        accepts = portal.accept_counts()
        states = portal.transfer_states()
    counts = _counts(engine)
    doubles = sum(1 for token in tokens if accepts.get(token, 0) > 1)
    accepted_on_portal = sum(1 for token in tokens if states.get(token) == "accepted")
    stuck = total - counts.get("verified", 0) - counts.get("needs_review", 0)
    lost = accepted_on_portal - counts.get("verified", 0)
    report("exactly_once", {
        "workers": WORKERS,
        "transfers": total,
        "kills": kills,
        "workers_started": launched,
        "seconds": round(elapsed, 1),
        "verified": counts.get("verified", 0),
        "needs_review": counts.get("needs_review", 0),
        "stuck": stuck,
        "double_accepts": doubles,
        "lost": lost,
        "accepts_per_min": round(counts.get("verified", 0) / elapsed * 60, 1),
        "scale_note": f"{total} of 2000 transfers (TRANSFERDESK_PERF_SCALE)",
    })
    assert doubles == 0, "a transfer was accepted twice"
    assert stuck == 0, f"transfers left unfinished: {counts}"
    assert lost == 0 and counts.get("verified", 0) == total, counts
