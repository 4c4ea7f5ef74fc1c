"""What a kill -9'd test session leaves behind, and what the next session cleans up.

PostgreSQL daemonizes, so a killed session's cluster keeps running: the next session sweeps it
(a live session's cluster survives). The clusters here live in a private root (never the shared
temp dir, where parallel sessions keep theirs), under the names the fixture uses. Dovecot and
localstripe need no sweep: they stop when their owner dies (its stdin pipe closes), proven here
with a real owner process killed with SIGKILL; their leftover temp dirs are swept like clusters.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.db.local_cluster import LocalCluster
from tests.fixtures.dovecot import IMAP_PREFIX, sweep_stale_mail_dirs
from tests.fixtures.postgres import (
    CLUSTER_PREFIX,
    OWNER_FILE,
    claim_ownership,
    owner_alive,
    sweep_stale_clusters,
)

# An owner process: starts Dovecot and localstripe as the fixtures do, reports, then waits to die.
_OWNER = textwrap.dedent("""
    import sys, tempfile, time
    from pathlib import Path
    from automation.sandbox.mailbox import DovecotServer
    from automation.sandbox.payments import LocalStripeServer
    dovecot = DovecotServer(Path(tempfile.mkdtemp(prefix="td-imap-", dir=sys.argv[1])))
    dovecot.start()
    stripe = LocalStripeServer()
    stripe.start()
    print(dovecot._process.pid, dovecot.port, stripe._process.pid, stripe.port, flush=True)
    time.sleep(600)
""")


@pytest.fixture
def root() -> Iterator[Path]:
    """A private root reachable by the server account (pytest's own temp dirs are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="td-sweeptest-"))
    path.chmod(0o755)
    yield path
    for cluster_dir in path.glob(f"{CLUSTER_PREFIX}*/cluster"):
        LocalCluster(cluster_dir).destroy()
    shutil.rmtree(path, ignore_errors=True)


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _gone(pid: int, timeout: float = 30.0) -> bool:
    """Wait until ``pid`` has exited (pg_ctl returns once the pid file is gone, a moment before
    the postmaster itself; a zombie awaiting its reaper counts as exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


def _started_cluster(root: Path, name: str, owner_pid: int) -> LocalCluster:
    base = root / f"{CLUSTER_PREFIX}{name}"
    base.mkdir(mode=0o755)
    claim_ownership(base, owner_pid)
    cluster = LocalCluster(base / "cluster")
    cluster.start()
    return cluster


def test_sweep_stops_a_dead_sessions_cluster_and_spares_a_live_one(root: Path) -> None:
    orphan = _started_cluster(root, "orphan", _dead_pid())
    live = _started_cluster(root, "live", os.getpid())
    postmaster = int((orphan.data / "postmaster.pid").read_text().split()[0])
    unowned = root / f"{CLUSTER_PREFIX}being-created"  # a session between mkdtemp and the pid
    unowned.mkdir()

    swept = sweep_stale_clusters(root)

    assert swept == [orphan.directory.parent]
    assert not orphan.directory.parent.exists()
    assert _gone(postmaster), "the leaked server was stopped"
    assert live.status().running and unowned.is_dir()
    with psycopg.connect(live.url("postgres")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_owner_liveness_checks_the_process_start_time(tmp_path: Path) -> None:
    assert owner_alive(tmp_path) is None, "no owner file: unknown, left alone"
    claim_ownership(tmp_path)
    assert owner_alive(tmp_path) is True
    (tmp_path / OWNER_FILE).write_text(f"{os.getpid()} 1\n")  # same pid, another process
    assert owner_alive(tmp_path) is False
    claim_ownership(tmp_path, _dead_pid())
    assert owner_alive(tmp_path) is False


def test_this_sessions_cluster_is_marked_as_ours(pg_cluster: LocalCluster) -> None:
    assert owner_alive(pg_cluster.directory.parent) is True
    assert (pg_cluster.directory.parent / OWNER_FILE).read_text().split()[0] == str(os.getpid())


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def test_dovecot_and_localstripe_die_with_a_killed_owner(root: Path) -> None:
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(root)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()
        supervisor, imap_port, stripe_pid, stripe_port = (int(v) for v in line.split())
        assert not _refused(imap_port) and not _refused(stripe_port), "both servers answer"
    finally:
        owner.kill()  # SIGKILL: no cleanup code runs in the owner
        owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()

    assert _gone(supervisor) and _gone(stripe_pid), "no server outlives its owner"
    assert _refused(imap_port) and _refused(stripe_port)
    [leftover] = root.glob(f"{IMAP_PREFIX}*")  # a kill -9 leaves the dir; no owner file: kept
    assert sweep_stale_mail_dirs(root) == [] and leftover.is_dir()
    claim_ownership(leftover, owner.pid)
    assert sweep_stale_mail_dirs(root) == [leftover] and not leftover.exists()
