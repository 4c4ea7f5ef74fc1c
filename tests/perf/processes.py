"""Child ``transferdesk`` processes for the kill -9 benchmarks (own session, log file each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def start_cli(env: dict[str, str], log_path: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``transferdesk ARGS`` in its own session, output to ``log_path``."""
    log = open(log_path, "wb")  # noqa: SIM115 - the child keeps its own descriptor
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return proc


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's whole session and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
