"""Outcomes -> webhooks: decision-to-receipt latency with a flaky receiver and killed deliverers.

At TRANSFERDESK_PERF_SCALE=1: 1,000 decisions; by default 0.1 (100). A local receiver fails
30 % of requests (HTTP 500) and hangs on 5 % (3 s, beyond the endpoint's 2 s timeout). Two
``transferdesk webhooks deliver`` processes run; every 2-4 s one gets SIGKILL and a fresh one
starts. Decisions (transfers expiring, one per transaction) arrive at about 20 per second.
Latency = first 2xx receipt minus the event's commit time. At the end: every event received,
0 lost, and exactly once after dedupe by event id (duplicates are counted).
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.credentials import CredentialStore
from tests.integration.marketplace.receiver import Receiver
from tests.perf.processes import kill_hard, start_cli
from tests.perf.report import percentile, report, scale

pytestmark = pytest.mark.perf
SECRET = "whsec_bench"
DELIVERERS = 2


def _count() -> int:
    return max(20, round(1000 * scale(0.04)))


def _deliverer(env: dict[str, str], log_dir: Path, index: int) -> subprocess.Popen[bytes]:
    return start_cli(env, log_dir / f"deliverer-{index}.log", "--log-level", "ERROR",
                     "webhooks", "deliver", "--poll", "1", "--lease", "6")


@pytest.mark.timeout(900)
def test_webhook_latency_and_no_loss_with_deliverers_killed(
        engine: Engine, database_url: str, credential_store: CredentialStore,
        tmp_path: Path) -> None:
    total = _count()
    rx = Receiver(secret=SECRET, fail_rate=0.30, hang_rate=0.05, hang_seconds=3.0)
    url = rx.start()
    credential_store.set("webhook:market", SECRET)
    config = tmp_path / "config.toml"
    config.write_text(f'[[webhooks]]\nname = "market"\nurl = "{url}"\ntimeout = 2.0\n'
                      'events = ["expired"]\n')
    with engine.begin() as conn:
        ids = [int(r[0]) for r in conn.execute(text(
            "INSERT INTO transfers (order_ref, event_name) SELECT 'HOOK-' || n, 'Game'"
            " FROM generate_series(1, :n) n RETURNING id"), {"n": total})]
    env = dict(os.environ, TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"), TRANSFERDESK_CONFIG=str(config))

    def decide() -> None:
        for transfer_id in ids:
            with engine.begin() as conn:
                conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                             {"i": transfer_id})
            time.sleep(0.05)

    rng = random.Random(16)
    procs = [_deliverer(env, tmp_path, i) for i in range(DELIVERERS)]
    launched, kills = DELIVERERS, 0
    decider = threading.Thread(target=decide, daemon=True)
    started = time.monotonic()
    decider.start()
    next_kill = started + rng.uniform(2, 4)
    try:
        while len(rx.unique_ids()) < total or decider.is_alive():
            assert time.monotonic() - started < 600, "events still undelivered after 10 min"
            if time.monotonic() >= next_kill:
                kill_hard(procs.pop(rng.randrange(len(procs))))
                kills += 1
                procs.append(_deliverer(env, tmp_path, launched))
                launched += 1
                next_kill = time.monotonic() + rng.uniform(2, 4)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            kill_hard(proc)
        rx.stop()
    with engine.connect() as conn:
        events = {f"evt_{r.id}": r.at.timestamp() for r in conn.execute(
            text("SELECT id, at FROM outcome_events WHERE type = 'expired'"))}
    first: dict[str, float] = {}
    for got in rx.received:
        first.setdefault(got.event_id, got.at)
    latencies = [first[e] - at for e, at in events.items() if e in first]
    lost = len(set(events) - set(first))
    report("webhook_delivery", {
        "events": len(events), "received_unique": len(first), "lost": lost,
        "duplicates": len(rx.received) - len(first), "attempts": rx.attempts,
        "bad_signatures": rx.bad_signatures, "deliverer_kills": kills,
        "seconds": round(elapsed, 1),
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "receiver": "30% HTTP 500, 5% hang 3 s (timeout 2 s)",
        "scale_note": f"{total} of 1000 decisions (TRANSFERDESK_PERF_SCALE)",
    })
    assert len(events) == total and lost == 0 and rx.bad_signatures == 0
    assert set(first) == set(events)  # exactly once after dedupe by event id
