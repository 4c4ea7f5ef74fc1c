"""Throughput: acceptances per minute with a warm session vs a sign-in per transfer.

Sandbox portal + real Chromium + real PostgreSQL + keyring, the full run pipeline (claim,
sign-in or session reuse, open, accept, confirm ownership, evidence, outcome). Size: 100
transfers per mode at TRANSFERDESK_PERF_SCALE=1; by default 0.25 (25 per mode) to stay near
two minutes on a 2-core machine. Goals from issue 5: >= 40/min warm and >= 3x cold.
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


def _run_batch(world: World, count: int, cold: bool) -> tuple[float, int]:
    account = world.account()
    key = f"{account.site_url}|{account.username}"
    ids = [world.transfer(account)[0] for _ in range(count)]
    runner = world.runner()
    runner.limiter = AccountRateLimiter(MIN_INTERVAL)
    if not cold:  # warm: sign in once before the clock starts (a batch signs in once)
        warm_up = world.transfer(account)[0]
        assert runner.submit(world.claim_job(warm_up)).result(120).outcome is Outcome.ACCEPTED
    sign_ins = 0
    started = time.perf_counter()
    for transfer_id in ids:
        if cold:
            world.service.call(world.service.forget_session(key), timeout=30)
        result = runner.submit(world.claim_job(transfer_id)).result(timeout=120)
        assert result.outcome is Outcome.ACCEPTED, result.detail
        sign_ins += result.signed_in
    return time.perf_counter() - started, sign_ins


def test_accept_throughput_warm_vs_cold(bench_world: World) -> None:
    count = max(3, round(100 * scale(0.25)))
    warm_seconds, warm_sign_ins = _run_batch(bench_world, count, cold=False)
    cold_seconds, cold_sign_ins = _run_batch(bench_world, count, cold=True)
    counts = bench_world.portal.accept_counts()
    assert all(n == 1 for n in counts.values()), "exactly one accept per transfer"
    assert warm_sign_ins == 0 and cold_sign_ins == count
    warm_rate = count / warm_seconds * 60
    cold_rate = count / cold_seconds * 60
    report("accept_throughput", {
        "transfers_per_mode": count,
        "min_interval_s": MIN_INTERVAL,
        "warm_per_min": round(warm_rate, 1),
        "cold_per_min": round(cold_rate, 1),
        "warm_over_cold": round(warm_rate / cold_rate, 2),
        "warm_s_per_accept": round(warm_seconds / count, 3),
        "cold_s_per_accept": round(cold_seconds / count, 3),
        "goal": ">= 40/min warm, >= 3x cold",
    })
