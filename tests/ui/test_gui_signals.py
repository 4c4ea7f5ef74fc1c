"""`transferdesk gui` closes in order on SIGTERM / Ctrl-C, even while the window idles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.fixtures.signals import sigint_as_from_a_terminal


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_closes_the_window(database_url: str, tmp_path, sig: signal.Signals) -> None:
    env = {**os.environ, "TRANSFERDESK_DATABASE_URL": database_url,
           "TRANSFERDESK_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "TRANSFERDESK_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "gui"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_as_from_a_terminal)
    try:
        time.sleep(4)  # the window is up and idle
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
    assert "Traceback" not in err
