"""Claiming under concurrency (separate processes), leases, heartbeats and reaping."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

import pytest
from sqlalchemy import text

from app.domain.errors import LeaseLostError
from app.domain.states import Role, Status
from app.services.claims import ClaimService
from app.services.queue import QueueService
from tests.integration.domain.claimers import claim_until_empty

PROCESSES = 4
TRANSFERS = 300


def seed_claimable(engine, n):
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO transfers (order_ref, event_name, status, notice_received_at)"
            " SELECT 'C-' || g, 'Event ' || (g % 7), 'notice_received', now()"
            " FROM generate_series(1, :n) g"), {"n": n})


def test_no_two_processes_get_the_same_transfer(database_url, engine):
    seed_claimable(engine, TRANSFERS)
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=claim_until_empty,
                         args=(database_url, f"proc-{i}", start, results, True))
             for i in range(PROCESSES)]
    for p in procs:
        p.start()
    start.set()
    outputs = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    claimed = Counter(i for _, ids, _ in outputs for i in ids)
    assert len(claimed) == TRANSFERS and max(claimed.values()) == 1
    assert sum(1 for _, ids, _ in outputs if ids) >= 2  # the work really was shared
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT count(*), count(DISTINCT transfer_id) FROM runs")).one()
        verified = conn.execute(text(
            "SELECT count(*) FROM transfers WHERE status = 'verified'")).scalar_one()
    assert tuple(runs) == (TRANSFERS, TRANSFERS) and verified == TRANSFERS


def test_claim_takes_the_most_urgent_first(engine, make_transfer, bot_claims):
    from datetime import timedelta

    from tests.integration.domain.conftest import NOW
    later = make_transfer(notice=True, accept_by=NOW + timedelta(days=2))
    sooner = make_transfer(notice=True, accept_by=NOW + timedelta(hours=2))
    assert bot_claims.claim("w").transfer.row.id == sooner.row.id
    assert bot_claims.claim("w").transfer.row.id == later.row.id
    assert bot_claims.claim("w") is None


def test_claim_is_visible_as_in_progress_to_everyone(engine, make_transfer, bot_claims):
    t = make_transfer(notice=True)
    bot_claims.claim("laptop-7")
    row = QueueService(engine, role=Role.STAFF).rows([t.row.id])[0]
    assert row.status is Status.ACCEPTING and row.in_progress_by == "laptop-7"
    assert row.lease_until is not None


def test_heartbeat_extends_and_lost_lease_is_reported(engine, make_transfer):
    make_transfer(notice=True)
    short = ClaimService(engine, role=Role.BOT, lease_seconds=0.3, max_attempts=2)
    claim = short.claim("w")
    renewed = short.heartbeat(claim.transfer.row.id, "w")
    assert renewed >= claim.lease_until
    with pytest.raises(LeaseLostError):
        short.heartbeat(claim.transfer.row.id, "someone-else")
    time.sleep(0.4)  # let the short lease lapse on the server's clock
    assert short.reap_expired() == [claim.transfer.row.id]
    with pytest.raises(LeaseLostError, match="no longer claimed"):
        short.heartbeat(claim.transfer.row.id, "w")
    with pytest.raises(LeaseLostError):
        short.record_outcome(claim.run_id, "w", "accepted")
    row = QueueService(engine).get(claim.transfer.row.id)
    assert row.row.status is Status.NOTICE_RECEIVED and row.row.claimed_by is None


def test_reaping_exhausted_attempts_goes_to_review(engine, make_transfer):
    t = make_transfer(notice=True)
    short = ClaimService(engine, role=Role.BOT, lease_seconds=0.2, max_attempts=2)
    for _ in range(2):
        assert short.claim("w", transfer_id=t.row.id) is not None
        time.sleep(0.3)
        assert short.reap_expired() == [t.row.id]
    assert QueueService(engine).get(t.row.id).row.status is Status.NEEDS_REVIEW
    with engine.connect() as conn:
        actions = conn.execute(text(
            "SELECT to_status FROM audit_log WHERE action = 'lease_expired' ORDER BY id"
        )).scalars().all()
        unfinished = conn.execute(text(
            "SELECT count(*) FROM runs WHERE finished_at IS NULL")).scalar_one()
    assert actions == ["notice_received", "needs_review"] and unfinished == 0


def test_live_leases_are_not_reaped(engine, make_transfer, bot_claims):
    make_transfer(notice=True)
    bot_claims.claim("w")
    assert bot_claims.reap_expired() == []
