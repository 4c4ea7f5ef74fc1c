"""What the browser trust boundary costs: the site guard's route per sign-in, trace scrubbing.

Cold sequential runs (each signs in: the session is forgotten first) on one account against
the sandbox, in alternating blocks with the site guard's sign-in route on and (for the
baseline only) left out, so both halves see the same machine load. Warm runs that reuse the
session install no route at all. Then every stored trace is scrubbed again, timed, to show what
:func:`automation.browser.trace_scrub.scrub_trace` costs per archive (it runs off the browser
loop, in a thread).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Evidence
from automation.browser.trace_scrub import scrub_trace
from automation.runs.outcomes import Outcome
from automation.runs.site_guard import SiteGuard
from tests.integration.automation.conftest import (  # noqa: F401 - shared fixtures
    World,
    browser_service,
    mail_router,
    portal,
    world,
)
from tests.perf.report import percentile, report, scale

pytestmark = pytest.mark.perf
BLOCK = 4


def _runs(bench: World, account: Any, count: int) -> list[float]:
    seconds = []
    runner = bench.runner()
    for _ in range(count):
        bench.service.call(bench.service.forget_session(f"{account.site_url}|"
                                                        f"{account.username}"), timeout=30)
        transfer_id = bench.transfer(account)[0]
        job = bench.claim_job(transfer_id)
        started = time.perf_counter()
        result = runner.submit(job).result(timeout=120)
        seconds.append(time.perf_counter() - started)
        assert result.outcome is Outcome.ACCEPTED, result.detail
    return seconds


def test_site_guard_and_trace_scrub_cost(
    world: World, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    blocks = max(1, round(3 * scale(0.34)))  # one block of each mode by default (CI)
    account = world.account()
    _runs(world, account, 1)  # warm the browser
    guarded: list[float] = []
    unguarded: list[float] = []
    blocking = SiteGuard.blocking

    @asynccontextmanager
    async def no_route(self: SiteGuard, page: Any) -> AsyncIterator[None]:
        yield

    for _ in range(blocks):
        monkeypatch.setattr(SiteGuard, "blocking", no_route)
        unguarded += _runs(world, account, BLOCK)
        monkeypatch.setattr(SiteGuard, "blocking", blocking)
        guarded += _runs(world, account, BLOCK)

    with world.engine.connect() as conn:
        traces = [bytes(c) for c in conn.scalars(
            select(Evidence.content).where(Evidence.kind == "trace"))]
    scrub_ms = []
    for trace in traces:
        started = time.perf_counter()
        scrub_trace(trace)
        scrub_ms.append((time.perf_counter() - started) * 1000)

    report("trust_browser_guard", {
        "runs_per_mode": len(guarded),
        "cold_run_s_guarded_p50": round(statistics.median(guarded), 3),
        "cold_run_s_unguarded_p50": round(statistics.median(unguarded), 3),
        "cold_run_s_guarded_mean": round(statistics.mean(guarded), 3),
        "cold_run_s_unguarded_mean": round(statistics.mean(unguarded), 3),
        "guard_overhead_pct_p50": round(
            100 * (statistics.median(guarded) / statistics.median(unguarded) - 1), 1),
        "traces_scrubbed": len(traces),
        "trace_kb_p50": round(statistics.median(len(t) for t in traces) / 1024, 1),
        "scrub_ms_p50": round(statistics.median(scrub_ms), 1),
        "scrub_ms_p95": round(percentile(scrub_ms, 95), 1),
    })
