"""Throughput: acceptances per minute with a warm session vs a sign-in per transfer.

Sandbox portal + real Chromium + real PostgreSQL + keyring, the full run pipeline (claim,
sign-in or session reuse, open, accept, confirm ownership, evidence, outcome). Size: 100
transfers per mode at TRANSFERDESK_PERF_SCALE=1; by default 0.15 (15 per mode) to stay near
two minutes on a 2-core machine. Modes: warm batch (claim all, submit all: browser work of one
account is serialised, recording overlaps the next run), warm sequential (one at a time), and
cold (storage state forgotten before each transfer: a full sign-in each time). Goals from
issue 5: >= 40/min warm and >= 3x cold.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from app.config import load_settings
from app.credentials import CredentialStore
from automation.browser.service import BrowserService
from automation.browser.storage import StorageStateStore
from automation.runs.outcomes import Outcome
from automation.runs.ratelimit import AccountRateLimiter
from automation.runs.runner import RunnerOptions
from automation.sandbox.portal import SandboxPortal
from tests.integration.automation.conftest import SITE, MailRouter, World
from tests.perf.report import report, scale

pytestmark = pytest.mark.perf
MIN_INTERVAL = 0.1


@pytest.fixture
def bench_world(engine: Engine, credential_store: CredentialStore,
                tmp_path: Path) -> Iterator[World]:
    """A world with its own portal and browser service."""
    with SandboxPortal() as portal:
        portal.add_site(SITE, "State University Athletics")
        service = BrowserService(load_settings(environ={}).browser,
                                 StorageStateStore(tmp_path / "state", Fernet.generate_key()))
        service.start()
        try:
            world = World(portal, service, engine, credential_store, tmp_path / "journal",
                          MailRouter(), options=RunnerOptions(live_frames=False))
            yield world
            world.close_sessions()
        finally:
            service.stop()


def _run_batch(world: World, count: int, mode: str) -> tuple[float, int]:
    """Accept ``count`` transfers of a fresh account; returns (seconds, sign-ins)."""
    account = world.account()
    key = f"{account.site_url}|{account.username}"
    ids = [world.transfer(account)[0] for _ in range(count)]
    runner = world.runner()
    runner.limiter = AccountRateLimiter(MIN_INTERVAL)
    if mode != "cold":  # warm: sign in once before the clock starts (a batch signs in once)
        warm_up = world.transfer(account)[0]
        assert runner.submit(world.claim_job(warm_up)).result(120).outcome is Outcome.ACCEPTED
    started = time.perf_counter()
    if mode == "batch":  # "Accept selected": claim all, submit all, runs pipeline
        futures = [runner.submit(world.claim_job(i)) for i in ids]
        results = [f.result(timeout=300) for f in futures]
    else:
        results = []
        for transfer_id in ids:
            if mode == "cold":
                world.service.call(world.service.forget_session(key), timeout=30)
            results.append(runner.submit(world.claim_job(transfer_id)).result(timeout=120))
    elapsed = time.perf_counter() - started
    assert all(r.outcome is Outcome.ACCEPTED for r in results), [r.detail for r in results]
    return elapsed, sum(r.signed_in for r in results)


def test_accept_throughput_warm_vs_cold(bench_world: World) -> None:
    count = max(3, round(100 * scale(0.15)))
    seconds: dict[str, float] = {}
    for mode in ("batch", "sequential", "cold"):
        seconds[mode], sign_ins = _run_batch(bench_world, count, mode)
        assert sign_ins == (count if mode == "cold" else 0), mode
    counts = bench_world.portal.accept_counts()
    assert all(n == 1 for n in counts.values()), "exactly one accept per transfer"
    rate = {mode: count / s * 60 for mode, s in seconds.items()}
    report("accept_throughput", {
        "transfers_per_mode": count,
        "min_interval_s": MIN_INTERVAL,
        "warm_batch_per_min": round(rate["batch"], 1),
        "warm_sequential_per_min": round(rate["sequential"], 1),
        "cold_per_min": round(rate["cold"], 1),
        "warm_batch_over_cold": round(rate["batch"] / rate["cold"], 2),
        "warm_sequential_over_cold": round(rate["sequential"] / rate["cold"], 2),
        "cold_s_per_accept": round(seconds["cold"] / count, 3),
        "goal": ">= 40/min warm, >= 3x cold",
    })
