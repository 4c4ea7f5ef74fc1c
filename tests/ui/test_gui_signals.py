"""`transferdesk gui` closes in order on SIGTERM / Ctrl-C, even while the window idles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from tests.fixtures.signals import sigint_as_from_a_terminal


def _wait_until_connected(database_url: str, proc: subprocess.Popen[str]) -> None:
    """Until the window's loop runs: its desk registered itself in the workers table (the
    signal handlers are installed before the loop starts)."""
    deadline = time.monotonic() + 60
    with psycopg.connect(database_url, autocommit=True) as conn:
        while not conn.execute("SELECT 1 FROM workers WHERE pid = %s AND kind = 'desktop'"
                               " AND stopped_at IS NULL", (proc.pid,)).fetchone():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the window never connected"
            time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_closes_the_window(database_url: str, tmp_path, sig: signal.Signals) -> None:
    env = {**os.environ, "TRANSFERDESK_DATABASE_URL": database_url,
           "TRANSFERDESK_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "TRANSFERDESK_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "gui"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_as_from_a_terminal)
    try:
        _wait_until_connected(database_url, proc)
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    assert "Traceback" not in err, err
