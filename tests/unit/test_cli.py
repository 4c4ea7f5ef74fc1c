"""CLI contract: version, one-line errors, non-zero exits, no tracebacks."""

import subprocess
import sys

import pytest

from app import __version__
from app.cli.main import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", *args], capture_output=True, text=True, timeout=60
    )


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"transferdesk {__version__}"


@pytest.mark.parametrize(
    "argv", [["bogus"], ["db", "local", "explode"], ["db", "--nope"], ["--frobnicate"],
             ["worker", "--grace", "0"], ["worker", "--lease", "soon"],
             ["worker", "--concurrency", "0"]]
)
def test_bad_usage_is_one_line_and_nonzero(argv):
    proc = run_cli(*argv)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "error:" in proc.stderr


def test_known_error_is_one_line(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "config.toml"
    bad.write_text("database_url = [unclosed")
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(bad))
    assert main(["db", "local", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("transferdesk: error: ") and "not valid TOML" in err
