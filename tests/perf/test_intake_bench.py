"""Order intake: inbox rows applied by 4 applier processes while one is kill -9'd in a loop.

At TRANSFERDESK_PERF_SCALE=1: 10,000 rows. By default 0.1 (1,000 rows) to keep CI fast. The
marketplace inserts every row first (as ``transferdesk_intake``); four ``transferdesk orders
inbox`` processes apply them, first undisturbed (the baseline rate), then with a second batch
while every 1-2 s one of them gets SIGKILL and a fresh one starts (process start-up, ~1 s on a
busy machine, is part of that figure). At
the end every row is answered exactly once: one transfer per order ref, one ``create`` audit
row per transfer, nothing pending, nothing half-applied.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.perf.processes import kill_hard, start_cli
from tests.perf.report import report, scale

pytestmark = pytest.mark.perf
APPLIERS = 4


def _rows() -> int:
    return max(100, round(10_000 * scale(0.1)))


def _applier(env: dict[str, str], log_dir: Path, index: int) -> subprocess.Popen[bytes]:
    return start_cli(env, log_dir / f"applier-{index}.log", "--log-level", "WARNING", "orders",
                     "inbox", "--poll", "1")


def _scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _insert(engine: Engine, prefix: str, total: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
        conn.execute(text(
            "INSERT INTO order_inbox (order_ref, event_name, seats, quantity, seller_email,"
            " amount_minor, currency, event_starts_at)"
            " SELECT :p || n, 'Game ' || (n % 50), ARRAY[(n % 30)::text], 1,"
            " 'seller' || n || '@example.com', 1000 + n, 'usd', now() + interval '10 days'"
            " FROM generate_series(1, :n) AS n"), {"n": total, "p": prefix})


def _phase(engine: Engine, env: dict[str, str], log_dir: Path, kill: bool) -> dict[str, float]:
    """Apply every pending row with APPLIERS processes (one kill -9'd every 1-2 s if ``kill``)."""
    rng = random.Random(16)
    procs = [_applier(env, log_dir, i) for i in range(APPLIERS)]
    launched, kills = APPLIERS, 0
    started = time.monotonic()
    next_kill = started + rng.uniform(1, 2)
    try:
        while _scalar(engine, "SELECT count(*) FROM order_inbox WHERE status = 'pending'"):
            assert time.monotonic() - started < 600, "rows still pending after 10 minutes"
            if kill and time.monotonic() >= next_kill:
                kill_hard(procs.pop(rng.randrange(len(procs))))
                kills += 1
                procs.append(_applier(env, log_dir, launched))
                launched += 1
                next_kill = time.monotonic() + rng.uniform(1, 2)
            time.sleep(0.05)
        return {"seconds": time.monotonic() - started, "kills": kills}
    finally:
        for proc in procs:
            kill_hard(proc)


@pytest.mark.timeout(1200)
def test_intake_exactly_once_with_appliers_killed_in_a_loop(engine: Engine, database_url: str,
                                                            tmp_path: Path) -> None:
    total = _rows()
    env = dict(os.environ, TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "none.toml"))
    _insert(engine, "CALM-", total)
    calm = _phase(engine, env, tmp_path, kill=False)
    _insert(engine, "BENCH-", total)
    killed = _phase(engine, env, tmp_path, kill=True)
    transfers = _scalar(engine, "SELECT count(*) FROM transfers")
    applied = _scalar(engine, "SELECT count(*) FROM order_inbox WHERE status = 'applied'"
                              " AND transfer_id IS NOT NULL")
    creates = _scalar(engine, "SELECT count(*) FROM audit_log WHERE action = 'create'")
    linked = _scalar(engine, "SELECT count(DISTINCT transfer_id) FROM order_inbox")
    report("intake_inbox", {
        "rows_per_phase": total, "appliers": APPLIERS,
        "rows_per_s_no_kills": round(total / calm["seconds"], 1),
        "rows_per_s_kill_loop": round(total / killed["seconds"], 1),
        "kills": killed["kills"], "seconds_kill_loop": round(killed["seconds"], 2),
        "transfers": transfers, "applied": applied, "create_audit_rows": creates,
        "stuck": 2 * total - applied,
        "scale_note": f"{total} of 10000 rows per phase (TRANSFERDESK_PERF_SCALE)",
    })
    assert transfers == applied == creates == linked == 2 * total
