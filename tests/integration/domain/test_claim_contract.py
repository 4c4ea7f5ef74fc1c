"""What one claim writes and returns, whichever way it picks (next due, one transfer, one
account): the run, exactly one audit row with its actor fields, the lease, the skipped sites;
and the pooled connection it leaves behind."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.domain.records import TransferFull
from app.domain.states import Role, Status
from app.repositories import breakers
from app.services.breakers import BreakerService
from app.services.claims import ClaimService
from app.services.queue import QueueService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import NOW

MakeTransfer = Callable[..., TransferFull]


def _audit_rows(engine: Engine, transfer_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT action, actor, actor_role, actor_name, from_status, to_status, detail"
            " FROM audit_log WHERE transfer_id = :i AND action NOT IN ('create', 'notice_matched')"
            " ORDER BY id"), {"i": transfer_id}))


def test_a_claim_opens_its_run_and_writes_one_audit_row(engine: Engine,
                                                        make_transfer: MakeTransfer) -> None:
    t = make_transfer(notice=True)
    desk = ClaimService(engine, "Dana (desk 3)", role=Role.STAFF, lease_seconds=90)
    claim = desk.claim("desk-3", transfer_id=t.row.id)
    assert claim is not None and claim.worker == "desk-3" and claim.attempt == 1
    stored = QueueService(engine).get(t.row.id)
    assert claim.transfer == stored, "the claim returns the transfer exactly as stored"
    assert stored.row.status is Status.ACCEPTING and stored.row.claimed_by == "desk-3"
    assert stored.row.version == t.row.version + 1 and stored.claimed_at is not None
    assert stored.row.lease_until is not None
    assert timedelta(seconds=89) < stored.row.lease_until - stored.claimed_at \
        <= timedelta(seconds=91)
    assert claim.lease_until == stored.row.lease_until
    assert _audit_rows(engine, t.row.id) == [(
        "claim", "transferdesk", "transferdesk_staff", "Dana (desk 3)", "notice_received",
        "accepting", {"worker": "desk-3", "run_id": claim.run_id, "attempt": 1})]
    with engine.connect() as conn:
        run = conn.execute(text(
            "SELECT transfer_id, worker, attempt, finished_at, outcome FROM runs WHERE id = :r"),
            {"r": claim.run_id}).one()
    assert tuple(run) == (t.row.id, "desk-3", 1, None, None)


def test_a_bot_without_a_display_name_is_audited_by_its_worker_name(
        engine: Engine, make_transfer: MakeTransfer, bot_claims: ClaimService) -> None:
    t = make_transfer(notice=True)
    claim = bot_claims.claim("worker-a:7")
    assert claim is not None and claim.transfer.row.id == t.row.id
    (row,) = _audit_rows(engine, t.row.id)
    assert row.actor_role == "transferdesk_bot" and row.actor_name == "worker-a:7"


def test_claiming_one_account_or_one_transfer(engine: Engine,
                                              make_transfer: MakeTransfer) -> None:
    owner = TransferService(engine, "setup")
    first = owner.add_account("paciolan", "https://one.example", "a@market.test")
    second = owner.add_account("paciolan", "https://two.example", "b@market.test")
    urgent = make_transfer(notice=True, account_id=first.id, accept_by=NOW + timedelta(hours=1))
    mine = make_transfer(notice=True, account_id=second.id, accept_by=NOW + timedelta(days=1))
    claims = ClaimService(engine, role=Role.BOT)
    got = claims.claim("w", account_id=second.id)
    assert got is not None and got.transfer.row.id == mine.row.id
    assert claims.claim("w", account_id=second.id) is None
    with pytest.raises(DomainError):  # not that account's: said why, nothing claimed
        claims.claim("w", transfer_id=urgent.row.id, account_id=second.id)
    got = claims.claim("w", transfer_id=urgent.row.id, account_id=first.id)
    assert got is not None and got.transfer.row.id == urgent.row.id


def test_a_transfer_waiting_for_its_retry_is_only_claimed_by_id(
        engine: Engine, make_transfer: MakeTransfer, bot_claims: ClaimService) -> None:
    t = make_transfer(notice=True)
    claim = bot_claims.claim("w")
    assert claim is not None
    bot_claims.record_outcome(claim.run_id, "w", "portal_error")  # retry later, with backoff
    assert QueueService(engine).get(t.row.id).row.next_attempt_at is not None
    assert bot_claims.claim("w") is None, "not due yet"
    again = bot_claims.claim("desk", transfer_id=t.row.id)  # a person may try at once
    assert again is not None and again.attempt == 2


def test_assisted_accounts_and_paused_sites_are_never_claimed(
        engine: Engine, make_transfer: MakeTransfer) -> None:
    owner = TransferService(engine, "setup")
    assisted = owner.add_account("paciolan", "https://assisted.example", "a@market.test")
    paused = owner.add_account("paciolan", "https://paused.example", "p@market.test")
    BreakerService(engine, "Sue").set_automation_mode(assisted.id, "assisted")
    with Session(engine) as session, session.begin():
        breakers.record_block(session, paused.site_url, breakers.BreakerPolicy(blocks=1), "")
    held = [make_transfer(notice=True, account_id=a.id) for a in (assisted, paused)]
    claims = ClaimService(engine, role=Role.BOT)
    assert claims.claim("w") is None
    for account, transfer in zip((assisted, paused), held, strict=True):
        assert claims.claim("w", account_id=account.id) is None
        with pytest.raises(DomainError, match="not automated now"):
            claims.claim("w", transfer_id=transfer.row.id)
    rows = QueueService(engine).rows([t.row.id for t in held])
    assert {r.status for r in rows} == {Status.NOTICE_RECEIVED}


def test_the_pooled_connection_comes_back_clean(database_url: str, make_transfer: MakeTransfer
                                                ) -> None:
    from app.db.engine import make_engine

    make_transfer(notice=True)
    engine = make_engine(database_url, pool_size=1)  # one connection: the claim's, reused
    try:
        assert ClaimService(engine, "Dana", role=Role.STAFF).claim("desk") is not None
        with engine.connect() as conn:
            state = conn.execute(text(
                "SELECT current_user, coalesce(current_setting('transferdesk.actor_name', true),"
                " ''), pg_current_xact_id_if_assigned() IS NULL")).one()
            assert tuple(state) == ("transferdesk", "", True)
            assert conn.connection.driver_connection.autocommit is False
    finally:
        engine.dispose()


def _drop_the_connection(database_url: str, engine: Engine) -> None:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(database_url, autocommit=True) as admin:  # waits for the exit
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))


def test_a_claim_after_the_server_dropped_the_connection(database_url: str,
                                                         make_transfer: MakeTransfer) -> None:
    from app.db.engine import PING_AFTER_IDLE_SECONDS, make_engine

    for _ in range(3):
        make_transfer(notice=True)
    engine = make_engine(database_url, pool_size=1)
    try:
        claims = ClaimService(engine, role=Role.BOT)
        assert claims.claim("w") is not None
        _drop_the_connection(database_url, engine)
        time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
        assert claims.claim("w") is not None, "an idle dead connection is pinged and replaced"
        _drop_the_connection(database_url, engine)  # dropped the moment after its last use
        with pytest.raises(OperationalError):  # what callers treat as "database unreachable"
            claims.claim("w")
        assert claims.claim("w") is not None, "the broken connection left the pool"
    finally:
        engine.dispose()


def test_a_claim_notifies_its_listeners_once_it_is_committed(
        database_url: str, make_transfer: MakeTransfer, bot_claims: ClaimService) -> None:
    t = make_transfer(notice=True)
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute("LISTEN transfer_changes")
        claim = bot_claims.claim("w")
        assert claim is not None
        got = [n.payload for n in listener.notifies(timeout=2.0, stop_after=2)]
        seen = listener.execute("SELECT status, claimed_by FROM transfers WHERE id = %s",
                                (t.row.id,)).fetchone()
    assert [json.loads(p) for p in got] == [
        {"id": t.row.id, "status": "accepting", "version": claim.transfer.row.version}]
    assert seen == ("accepting", "w"), "a listener reading on notification sees the claim"


def test_a_login_of_the_bot_role_claims_and_is_audited_by_its_login(
        database_url: str, engine: Engine, make_transfer: MakeTransfer) -> None:
    from app.db.engine import make_engine
    from tests.integration.domain.test_guarantor import login_url

    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'claims_login'").fetchone() is None:
            conn.execute("CREATE ROLE claims_login LOGIN IN ROLE transferdesk_bot")
    firsts = [make_transfer(notice=True) for _ in range(2)]
    login = make_engine(login_url(database_url, "claims_login"), pool_size=1)
    try:
        for role in (Role.BOT, None):  # SET ROLE, or the role found by membership
            claim = ClaimService(login, role=role).claim("w")
            assert claim is not None
    finally:
        login.dispose()
    rows = [r for t in firsts for r in _audit_rows(engine, t.row.id)]
    assert [(r.action, r.actor, r.actor_role) for r in rows] == \
        [("claim", "claims_login", "transferdesk_bot")] * 2
