"""Claims per second with 1, 2, 4 and 8 claimer processes on one PostgreSQL, over 10k
transfers, and the number of duplicate claims (must be 0). Goal: >= 1,000 claims/s at 8.

Each round starts from the same state: the rows the previous round claimed are made claimable
again and the table is vacuumed (as autovacuum would, between bursts). Every process connects
and warms up (interpreter, imports, connection, first query) before the clock starts: the
figure is claims per second, not process start-up. All processes then claim for the same time
window and the figure is the sum over the window (a fixed count per process would measure the
slowest process on an oversubscribed machine instead). Each claim is one transaction (SKIP
LOCKED pick + lease + run row + audit row, committed at once, ``synchronous_commit`` on) as
``ClaimService.claim`` does it for a worker. Sizes scale with TRANSFERDESK_PERF_SCALE.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.db.engine import make_engine
from app.domain.states import Role
from app.services.claims import ClaimService
from tests.perf.report import report, scale

pytestmark = pytest.mark.perf
PROCESS_COUNTS = (1, 2, 4, 8)
READY_TIMEOUT = 120.0  # eight interpreters importing SQLAlchemy on a loaded 2-core machine


def claimer(database_url: str, worker: str, ready: Any, start: Any, stop: Any,
            results: Any) -> None:
    """Warm up, report ready, wait for the start, then claim until ``stop`` is set; put
    ``(worker, ids, seconds)`` on ``results`` (spawned, so it lives at module level)."""
    engine = make_engine(database_url, pool_size=1)
    service = ClaimService(engine, role=Role.BOT, lease_seconds=300)
    ids: list[int] = []
    try:
        with engine.connect() as conn:  # connect and let the dialect initialise, untimed
            conn.execute(text("SELECT 1"))
        ready.put(worker)
        start.wait()
        began = time.perf_counter()
        try:
            while not stop.is_set() and (claim := service.claim(worker)):
                ids.append(claim.transfer.row.id)
        finally:
            results.put((worker, ids, time.perf_counter() - began))
    finally:
        engine.dispose()


def _fill(engine: Engine, transfers: int) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO transfers (order_ref, event_name, status, notice_received_at, accept_by)"
            " SELECT 'CB-' || g, 'Event ' || (g % 50), 'notice_received', now(),"
            " now() + (g % 500) * interval '1 minute' FROM generate_series(1, :n) g"),
            {"n": transfers})


def _reset(engine: Engine) -> None:
    """Make the last round's claims claimable again and vacuum, so every round starts alike."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = 'notice_received', claimed_by = NULL,"
                          " lease_until = NULL, claimed_at = NULL WHERE status = 'accepting'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) transfers"))


def _round(ctx: Any, database_url: str, procs: int, window: float
           ) -> tuple[Counter[int], float, list[int]]:
    """One round: ``procs`` warmed-up claimers claim for ``window`` seconds; (claims, seconds,
    claims per process)."""
    ready, start, stop, results = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=claimer, args=(database_url, f"bench-{procs}-{i}",
                                                 ready, start, stop, results))
               for i in range(procs)]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=READY_TIMEOUT)
    start.set()
    time.sleep(window)  # the measuring window itself
    stop.set()
    outputs = [results.get(timeout=300) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    claimed = Counter(i for _, ids, _ in outputs for i in ids)
    return claimed, max(seconds for _, _, seconds in outputs), [len(ids) for _, ids, _ in outputs]


def test_claims_per_second(database_url: str, engine: Engine) -> None:
    transfers = max(100, int(10_000 * scale()))
    window = max(0.5, 3.0 * scale())  # seconds per round: ~3k claims at most, of the 10k
    _fill(engine, transfers)
    ctx = multiprocessing.get_context("spawn")
    figures: dict[str, object] = {"transfers": transfers, "round_seconds": window}
    duplicates = 0
    for procs in PROCESS_COUNTS:
        _reset(engine)
        claimed, seconds, per_process = _round(ctx, database_url, procs, window)
        total = sum(claimed.values())
        duplicates += sum(n - 1 for n in claimed.values())
        figures[f"claims_per_s_{procs}p"] = round(total / seconds, 1)
        figures[f"claims_{procs}p"] = total
        assert min(per_process) > 0, f"every process claims concurrently: {per_process}"
        assert total < transfers, "the window outlasted the queue: raise transfers"
        with engine.connect() as conn:  # a duplicate would leave fewer rows accepting than claims
            accepting = conn.execute(text(
                "SELECT count(*) FROM transfers WHERE status = 'accepting'")).scalar_one()
        duplicates += total - accepting
    figures["duplicate_claims"] = duplicates
    figures["goal"] = ">= 1000 claims/s at 8 processes, 0 duplicates"
    figures["cpu_cores"] = multiprocessing.cpu_count()
    figures["load_average_1m"] = round(os.getloadavg()[0], 1)  # the machine is shared
    report("claims_throughput", figures)
    assert figures["duplicate_claims"] == 0
