"""SIGTERM reaches a ``transferdesk worker`` process in the middle of a run.

The sandbox portal's latency switch slows every page, so the run is caught mid-way: the test
waits for the worker's own log line announcing the run (the transfer is claimed and the browser
is on it), then signals. One SIGTERM lets the run finish within the grace period (verified);
a second SIGTERM skips the grace period: the run stops at its next safe point and the claim is
released at once (not left to the lease). Either way the process exits 0, the portal saw at
most one accept, and no Chromium of the worker's process group is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Row, select

from app.credentials import CredentialStore
from app.db.models import AuditLog, Run, Transfer, Worker
from automation.sandbox.portal import SandboxPortal
from tests.integration.automation.conftest import SITE, MailRouter, World

EXIT_BOUND = 90.0  # the 30 s grace period, browser shutdown and a loaded 2-core machine


class WorkerProcess:
    """``transferdesk worker`` in its own process group, its output collected line by line."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "worker", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:  # closed at EOF (the worker exited)
            for line in self.proc.stdout:
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        """Everything the worker printed so far."""
        return "".join(self.lines)

    def wait_for_line(self, needle: str, timeout: float) -> None:
        """Block until a line containing ``needle`` appears (fails if the worker exits)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(needle in line for line in self.lines):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no line with {needle!r}:\n{self.output}")
                self._changed.wait(min(remaining, 1.0))

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the worker (the Python process only, as systemd's main PID)."""
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> tuple[int, float]:
        """Wait for the exit; ``(exit code, seconds waited)``."""
        began = time.monotonic()
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code, time.monotonic() - began

    def kill_group(self) -> None:
        """Last resort in teardown: SIGKILL whatever is left of the process group."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def _group_members(pgid: int) -> list[str]:
    """``pid comm`` of every live process in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm_end = stat.rindex(")")
        fields = stat[comm_end + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(f"{entry.name} {stat[stat.index('(') + 1:comm_end]}")
    return members


@pytest.fixture(scope="module")
def slow_portal() -> Iterator[SandboxPortal]:
    """A sandbox portal of its own: its latency switch must not slow other modules."""
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics")
        yield server


@pytest.fixture
def world(slow_portal: SandboxPortal, engine: Engine, credential_store: CredentialStore,
          tmp_path: Path) -> Iterator[World]:
    """Accounts and transfers on the portal and in the database (the worker brings a browser)."""
    yield World(slow_portal, None, engine, credential_store,  # type: ignore[arg-type]
                tmp_path / "journal", MailRouter())
    slow_portal.set_faults(SITE, latency_ms=0)


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[type[WorkerProcess]]:
    """Starts workers on the test's database; kills whatever is left after the test."""
    env = dict(os.environ)
    env.update(TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    started: list[WorkerProcess] = []

    class Started(WorkerProcess):
        def __init__(self, *args: str) -> None:
            super().__init__(env, *args)
            started.append(self)

    yield Started
    for worker in started:
        if worker.proc.poll() is None or _group_members(worker.proc.pid):
            worker.kill_group()


def _transfer(engine: Engine, transfer_id: int) -> Row[Any]:
    """The transfer's row as it is in the database now."""
    with engine.connect() as conn:
        return conn.execute(select(Transfer).where(Transfer.id == transfer_id)).one()


def _runs(engine: Engine, transfer_id: int) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(Run.outcome, Run.detail, Run.finished_at).where(Run.transfer_id == transfer_id)
            .order_by(Run.id))]


def _actions(engine: Engine, transfer_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(AuditLog.action).where(AuditLog.transfer_id == transfer_id)
                                 .order_by(AuditLog.id)))


def _caught_mid_run(world: World, start_worker: type[WorkerProcess], latency_ms: int,
                    *args: str) -> tuple[WorkerProcess, int, str]:
    """A worker busy with one slowed-down run, claimed and in the browser."""
    world.portal.set_faults(SITE, latency_ms=latency_ms)
    transfer_id, sent = world.transfer(world.account())
    worker = start_worker("--poll", "600", "--role", "transferdesk_bot", *args)
    worker.wait_for_line(f"for transfer {transfer_id}, attempt 1", timeout=120)
    transfer = _transfer(world.engine, transfer_id)
    assert transfer.status == "accepting" and transfer.claimed_by, worker.output
    assert world.portal.accept_counts().get(sent.token, 0) == 0, "caught before the accept"
    return worker, transfer_id, sent.token


def test_sigterm_mid_run_lets_the_run_finish(world: World,
                                            start_worker: type[WorkerProcess]) -> None:
    # A short lease (heartbeat every 1.5 s): the run outlives it, so only heartbeats that go
    # on during the grace period keep the claim from another worker's reaper (this test's).
    worker, transfer_id, token = _caught_mid_run(world, start_worker, 700, "--lease", "6")

    worker.signal(signal.SIGTERM)
    reaped: list[int] = []
    began = time.monotonic()
    while worker.proc.poll() is None and time.monotonic() - began < EXIT_BOUND:
        reaped += world.claims.reap_expired()
        time.sleep(0.5)
    code, _ = worker.wait(timeout=EXIT_BOUND)
    seconds = time.monotonic() - began

    assert code == 0, worker.output
    assert reaped == [], "the lease lapsed while the run was finishing"
    assert seconds < EXIT_BOUND
    transfer = _transfer(world.engine, transfer_id)
    assert (transfer.status, transfer.claimed_by, transfer.lease_until) == ("verified", None, None)
    assert [r[:2] for r in _runs(world.engine, transfer_id)] == [
        ("accepted", "seats seen in My Account")]
    assert _actions(world.engine, transfer_id)[-2:] == ["claim", "run_verified"]
    assert world.portal.accept_counts()[token] == 1
    assert "stopped after 1 run(s)" in worker.output
    assert _group_members(worker.proc.pid) == [], "no Chromium left behind"
    with world.engine.connect() as conn:
        assert conn.execute(select(Worker.stopped_at)).scalar_one() is not None


def test_second_sigterm_mid_run_releases_the_claim_at_once(
    world: World, start_worker: type[WorkerProcess]
) -> None:
    worker, transfer_id, token = _caught_mid_run(world, start_worker, latency_ms=1500)

    worker.signal(signal.SIGTERM)
    worker.wait_for_line("stopping: waiting up to", timeout=30)
    assert worker.proc.poll() is None, "the first SIGTERM grants a grace period"
    worker.signal(signal.SIGTERM)
    code, seconds = worker.wait(timeout=EXIT_BOUND)

    assert code == 0, worker.output
    assert seconds < EXIT_BOUND
    transfer = _transfer(world.engine, transfer_id)
    assert (transfer.status, transfer.claimed_by, transfer.lease_until) == (
        "notice_received", None, None), "claimable now, not after the lease"
    [(outcome, detail, finished_at)] = _runs(world.engine, transfer_id)
    assert (outcome, detail) == (None, "released: worker stopping") and finished_at
    assert _actions(world.engine, transfer_id)[-2:] == ["claim", "release"]
    assert world.portal.accept_counts().get(token, 0) <= 1
    assert "aborting 1 run(s)" in worker.output and "stopped after 1 run(s)" in worker.output
    assert _group_members(worker.proc.pid) == [], "no Chromium left behind"

    world.portal.set_faults(SITE, latency_ms=0)  # the next worker picks it up right away
    again = start_worker("--once", "--role", "transferdesk_bot")
    assert again.wait(timeout=180)[0] == 0, again.output
    assert _transfer(world.engine, transfer_id).status == "verified"
    assert world.portal.accept_counts()[token] == 1, "accepted exactly once overall"
