"""``db local stop`` / ``start`` under a running worker (a real ``transferdesk worker`` process).

The embedded cluster comes back on its old port when that port is free; when it is taken, every
long-running client (the worker's engine and change feed, this test's engine) re-reads the port
on reconnect. Either way the worker's run, whose outcome went to the local journal while the
database was down, ends verified once the journal replays.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.credentials import CredentialStore
from app.db import migrate
from app.db.engine import make_engine
from app.db.local_cluster import LocalCluster, cluster_dir_for
from app.db.models import Run, Transfer
from automation.sandbox.portal import SandboxPortal
from tests.integration.automation.conftest import SITE, MailRouter, World
from tests.integration.automation.test_worker_sigterm import (  # noqa: F401 - a fixture
    WorkerProcess,
    slow_portal,
)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[Path, LocalCluster]]:
    """A fresh data dir with its own embedded cluster, started and migrated."""
    data = tmp_path / "data"
    cluster = LocalCluster(cluster_dir_for(data))
    cluster.start()
    migrate.upgrade(cluster.url())
    yield data, cluster
    cluster.destroy()


def _status(engine: Engine, transfer_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(select(Transfer.status).where(Transfer.id == transfer_id)))


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_restart_keeps_the_port_when_free(embedded: tuple[Path, LocalCluster]) -> None:
    _, cluster = embedded
    url = cluster.url()
    port = cluster.status().port
    assert cluster.stop()
    assert cluster.start() == port
    assert cluster.url() == url


def test_worker_survives_a_restart_on_another_port(
    embedded: tuple[Path, LocalCluster], slow_portal: SandboxPortal,  # noqa: F811
    credential_store: CredentialStore, tmp_path: Path,
) -> None:
    data, cluster = embedded
    engine = make_engine(cluster.url())
    world = World(slow_portal, None, engine, credential_store,  # type: ignore[arg-type]
                  tmp_path / "unused-journal", MailRouter())
    slow_portal.set_faults(SITE, latency_ms=700)
    transfer_id, sent = world.transfer(world.account())
    env = dict(os.environ)
    env.pop("TRANSFERDESK_DATABASE_URL", None)
    env.update(TRANSFERDESK_DATA_DIR=str(data),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    worker = WorkerProcess(env, "--poll", "600", "--lease", "30")
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        worker.wait_for_line(f"for transfer {transfer_id}, attempt 1", timeout=120)
        old_port = cluster.status().port
        assert old_port is not None and cluster.stop()
        blocker.bind(("127.0.0.1", old_port))  # the old port is taken: the cluster must move
        worker.wait_for_line("kept in the local journal", timeout=90)
        assert slow_portal.accept_counts().get(sent.token) == 1
        slow_portal.set_faults(SITE, latency_ms=0)

        new_port = cluster.start()
        assert new_port != old_port
        _wait(lambda: _status(engine, transfer_id) == "verified", 90, "the verified status")
        worker.wait_for_line("journal replay: 1 recorded", timeout=10)
        with engine.connect() as conn:
            outcomes = list(conn.scalars(select(Run.outcome).where(Run.transfer_id == transfer_id)))
        assert outcomes == ["accepted"]
        assert not list((data / "journal").glob("*.json"))

        worker.signal(signal.SIGTERM)
        code, _ = worker.wait(timeout=90)
        assert code == 0, worker.output
    finally:
        blocker.close()
        slow_portal.set_faults(SITE, latency_ms=0)
        if worker.proc.poll() is None:
            worker.kill_group()
        engine.dispose()
