"""Static checks run as part of the suite: ruff, mypy (strict on app/ and automation/), and
the import-linter contracts (app/ and automation/ never import Qt, qasync or ui/)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_contracts_hold():
    proc = _run(str(BIN / "lint-imports"), "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_clean():
    proc = _run(str(BIN / "ruff"), "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean():
    proc = _run(sys.executable, "-m", "mypy", "app", "automation", "ui")
    assert proc.returncode == 0, proc.stdout + proc.stderr
