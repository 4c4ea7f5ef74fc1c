"""Show every benchmark's figures in the run's summary (pytest captures their stdout)."""

from __future__ import annotations

import time
from typing import Any

from tests.perf.desk_support import desk_bench_url, loop  # noqa: F401 - shared fixtures
from tests.perf.report import RESULTS_DIR

_SESSION_START = time.time()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the JSON line of each benchmark that ran in this session."""
    if not RESULTS_DIR.exists():
        return
    fresh = sorted(p for p in RESULTS_DIR.glob("*.json") if p.stat().st_mtime >= _SESSION_START)
    if not fresh:
        return
    terminalreporter.section("benchmark figures (tests/perf/results/*.json)")
    for path in fresh:
        terminalreporter.write_line(path.read_text(encoding="utf-8").strip())
