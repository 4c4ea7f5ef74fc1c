"""Benchmark reporting: print the figures, then one JSON line, and write the JSON to a file.

Every benchmark in tests/perf calls :func:`report` once; results land in
``tests/perf/results/<name>.json`` (git-ignored) so runs can be compared.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def scale(default: float = 1.0) -> float:
    """Size multiplier for benchmarks (``TRANSFERDESK_PERF_SCALE``, e.g. 0.1 for a quick look)."""
    return float(os.environ.get("TRANSFERDESK_PERF_SCALE", default))


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``values`` by linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[int(pct) - 1]


def report(name: str, figures: dict[str, Any]) -> Path:
    """Print ``figures`` (one per line, then as JSON on the last line) and save them."""
    RESULTS_DIR.mkdir(exist_ok=True)
    for key, value in figures.items():
        print(f"{name}: {key} = {value}")
    line = json.dumps({"benchmark": name, **figures}, sort_keys=True, default=str)
    print(line)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(line + "\n", encoding="utf-8")
    return path


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(p50, p95) in ms of ``repeats`` calls of ``fn``, after one untimed warm-up call (the
    plan and the pool)."""
    fn()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return round(percentile(samples, 50), 1), round(percentile(samples, 95), 1)
