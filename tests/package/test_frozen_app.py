"""Smoke test of the PyInstaller bundle: build it (or reuse an up-to-date one), run it frozen.

The frozen app runs from a temp dir with a scrubbed environment (no PYTHONPATH, no virtualenv,
no forced keyring backend), so everything it needs must come from the bundle: the Python
packages, resources/, the Alembic migrations, keyring's entry-point metadata and Playwright's
driver. The browser is the machine's Chromium, as on staff machines.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.db.local_cluster import LocalCluster, cluster_dir_for
from tests.perf.report import report

# A cold build takes about a minute here; on a loaded 2-core machine it can pass the default
# 300 s, so this module gets a longer budget.
pytestmark = [pytest.mark.package, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "transferdesk"
EXECUTABLE = BUNDLE / "transferdesk"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# Variables that could let the frozen app borrow from the source tree or the test run.
SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHON_KEYRING_BACKEND",
            "TRANSFERDESK_DATABASE_URL", "TRANSFERDESK_BROWSER_CHANNEL")


@dataclass(frozen=True)
class Bundle:
    """The built bundle and what building it cost."""

    executable: Path
    rebuilt: bool
    call_seconds: float
    last_build_seconds: float


@pytest.fixture(scope="module")
def bundle() -> Iterator[Bundle]:
    """Build (or reuse) dist/transferdesk, then hold a shared lock so no one rebuilds under us."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(ROOT / "scripts" / "package.sh")], cwd=ROOT, capture_output=True, text=True,
        timeout=840,
    )
    call_seconds = time.perf_counter() - start
    assert proc.returncode == 0, f"package.sh failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
    with open(DIST / ".package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield Bundle(
            executable=EXECUTABLE,
            rebuilt="up to date" not in proc.stdout,
            call_seconds=call_seconds,
            last_build_seconds=float((DIST / "transferdesk.build-seconds").read_text()),
        )


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir under /tmp, mode 0755 so the embedded cluster can run as `postgres` (root)."""
    path = Path(tempfile.mkdtemp(prefix="td-frozen-"))
    path.chmod(0o755)
    yield path
    LocalCluster(cluster_dir_for(path)).destroy()  # in case a failed check left it running
    shutil.rmtree(path, ignore_errors=True)


def run_frozen(bundle: Bundle, data_dir: Path, *args: str,
               **env: str) -> subprocess.CompletedProcess[str]:
    """Run the frozen executable from ``data_dir`` with a scrubbed environment."""
    environ = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    environ.update(
        TRANSFERDESK_DATA_DIR=str(data_dir),
        TRANSFERDESK_CONFIG=str(data_dir / "config.toml"),
        QT_QPA_PLATFORM="offscreen",
        **env,
    )
    return subprocess.run(
        [str(bundle.executable), *args], cwd=data_dir, env=environ, capture_output=True,
        text=True, timeout=240,
    )


def test_self_check_passes_in_the_frozen_app(bundle: Bundle, data_dir: Path) -> None:
    start = time.perf_counter()
    proc = run_frozen(bundle, data_dir, "--self-check")
    self_check_seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    lines = proc.stdout.splitlines()
    by_name = {line.split(":")[0].split()[-1]: line for line in lines[:-1]}
    assert list(by_name) == ["database", "migrations", "resources", "keyring", "browser"], output
    assert all(line.startswith("OK ") for line in by_name.values()), output
    assert "embedded PostgreSQL" in by_name["database"]
    assert "at head (" in by_name["migrations"] and "no migrations" not in by_name["migrations"]
    # Resources resolve inside the bundle (sys._MEIPASS), not from the source tree.
    assert f"in {BUNDLE}" in by_name["resources"], by_name["resources"]
    for profile in sorted((ROOT / "resources" / "portals").glob("*.toml")):
        assert profile.stem in by_name["resources"].split("portal profiles:")[1]
    # Found through keyring's entry points, since PYTHON_KEYRING_BACKEND is scrubbed.
    assert "SecretService" in by_name["keyring"], by_name["keyring"]
    assert "headless page rendered" in by_name["browser"]
    assert lines[-1] == "self-check: all 5 checks passed"
    assert not LocalCluster(cluster_dir_for(data_dir)).status().running  # stopped after itself

    files = [f for f in BUNDLE.rglob("*") if f.is_file() and not f.is_symlink()]
    report("package", {
        "build_seconds": bundle.last_build_seconds,
        "rebuilt_in_this_run": bundle.rebuilt,
        "package_call_seconds": round(bundle.call_seconds, 1),
        "bundle_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "bundle_files": len(files),
        "self_check_seconds": round(self_check_seconds, 1),
    })


def test_frozen_version_comes_from_pyproject(bundle: Bundle, data_dir: Path) -> None:
    proc = run_frozen(bundle, data_dir, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"transferdesk {VERSION}"


def test_frozen_app_uses_a_configured_database(
    bundle: Bundle, data_dir: Path, database_url: str
) -> None:
    proc = run_frozen(
        bundle, data_dir, "self-check", "--skip", "resources", "--skip", "keyring",
        "--skip", "browser", TRANSFERDESK_DATABASE_URL=database_url,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("OK   database: configured PostgreSQL"), lines
    assert lines[1].startswith("OK   migrations: at head ("), lines
    assert not cluster_dir_for(data_dir).exists()  # no embedded cluster was made


def test_frozen_window_opens_and_closes(bundle: Bundle, data_dir: Path) -> None:
    # The self-check never loads Qt; this proves the bundled Qt, its plugins and ui/ work.
    proc = run_frozen(bundle, data_dir, "gui", "--quit-after", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for symptom in ("Traceback", "Could not load the Qt platform plugin", "ModuleNotFoundError"):
        assert symptom not in proc.stderr, proc.stderr[-3000:]


def test_every_qt_module_the_ui_imports_is_bundled(bundle: Bundle) -> None:
    # Some ui/ modules are imported lazily (dialogs, the dashboard), so the window test alone
    # would not notice a Qt module excluded by build.spec.
    used = {
        match.group(1)
        for path in (ROOT / "ui").rglob("*.py")
        for match in re.finditer(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    bundled = {p.name.split(".")[0] for p in (BUNDLE / "_internal" / "PySide6").glob("Qt*.*")}
    assert used <= bundled, f"excluded from the bundle but used by ui/: {used - bundled}"


def test_a_failing_check_exits_non_zero_and_says_why(bundle: Bundle, data_dir: Path) -> None:
    proc = run_frozen(
        bundle, data_dir, "self-check", "--skip", "database", "--skip", "migrations",
        TRANSFERDESK_BROWSER_PATH=str(data_dir / "no-such-browser"),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("OK   resources:")
    assert lines[-2].startswith("FAIL browser: ConfigError:") and "no-such-browser" in lines[-2]
    assert lines[-1] == "self-check: FAILED (browser)"
