"""Accounts at a glance: each session state derived from real runs, breakers and modes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event

from app.domain.account_states import AccountStatus, AutomationMode, SessionState
from app.domain.records import PortalAccountInfo, TransferFull
from app.domain.states import Outcome, Role
from app.repositories.breakers import BreakerPolicy
from app.services.account_status import AccountStatusService
from app.services.breakers import BreakerService
from app.services.claims import ClaimService
from app.services.transfers import TransferService

Make = Callable[..., TransferFull]
_sites = iter(range(1, 10_000))


@pytest.fixture
def account(supervisor: TransferService) -> Callable[[], PortalAccountInfo]:
    def add() -> PortalAccountInfo:
        n = next(_sites)
        return supervisor.add_account("paciolan", f"https://site{n}.example.edu",
                                      f"box{n}@market.example", label=f"Site {n}")
    return add


def _run(claims: ClaimService, make: Make, account_id: int, outcome: Outcome,
         detail: str = "") -> None:
    transfer = make(notice=True, account_id=account_id)
    claim = claims.claim("vm-2:41:abc", transfer_id=transfer.row.id)
    assert claim is not None
    claims.record_outcome(claim.run_id, "vm-2:41:abc", outcome, detail)


def _status(engine: Engine, account_id: int, **kwargs: timedelta) -> AccountStatus:
    found = AccountStatusService(engine, role=Role.STAFF, **kwargs).status(account_id)
    assert found is not None
    return found


def test_each_session_state_from_recorded_runs(
    engine: Engine, bot_claims: ClaimService, make_transfer: Make,
    account: Callable[[], PortalAccountInfo],
) -> None:
    never, ok, failed, locked, blocked, unknown = (account() for _ in range(6))
    _run(bot_claims, make_transfer, ok.id, Outcome.ACCEPTED)
    _run(bot_claims, make_transfer, failed.id, Outcome.LOGIN_FAILED,
         "Invalid email or password.\nTry again")
    _run(bot_claims, make_transfer, locked.id, Outcome.LOGIN_FAILED,
         "the portal account is locked")
    _run(bot_claims, make_transfer, blocked.id, Outcome.BLOCKED, "Access denied (ref 42)")
    _run(bot_claims, make_transfer, unknown.id, Outcome.SELECTOR_DRIFT, "no sign-in button")

    statuses = {s.account_id: s for s in AccountStatusService(engine, role=Role.STAFF)
                .statuses()}
    assert statuses[never.id].state is SessionState.NEVER_SIGNED_IN
    assert statuses[never.id].state_since is None and statuses[never.id].last_success_at is None
    assert statuses[ok.id].state is SessionState.SIGNED_IN
    assert statuses[ok.id].last_success_at is not None and statuses[ok.id].last_failure_at is None
    assert statuses[failed.id].state is SessionState.SIGN_IN_FAILED
    assert statuses[failed.id].last_failure_outcome is Outcome.LOGIN_FAILED
    assert statuses[failed.id].last_failure_reason == "Invalid email or password."
    assert statuses[locked.id].state is SessionState.LOCKED
    assert statuses[blocked.id].state is SessionState.BLOCKED_BY_SITE  # 1 block: breaker shut
    assert statuses[blocked.id].may_act_at is not None
    assert statuses[unknown.id].state is SessionState.UNKNOWN
    assert statuses[unknown.id].last_failure_reason == "no sign-in button"
    for status in statuses.values():
        assert status.open_transfers.needs_review == (0 if status.account_id in
                                                      (never.id, ok.id) else 1)

    expired = _status(engine, ok.id, session_lifetime=timedelta(microseconds=1))
    assert expired.state is SessionState.SESSION_EXPIRED


def test_newest_telling_run_decides_and_failure_stays_visible(
    engine: Engine, bot_claims: ClaimService, make_transfer: Make,
    account: Callable[[], PortalAccountInfo],
) -> None:
    acct = account()
    _run(bot_claims, make_transfer, acct.id, Outcome.LOGIN_FAILED, "wrong password")
    _run(bot_claims, make_transfer, acct.id, Outcome.ACCEPTED)
    _run(bot_claims, make_transfer, acct.id, Outcome.PORTAL_ERROR, "HTTP 503")  # tells nothing

    status = AccountStatusService(engine, role=Role.STAFF).status(acct.id)
    assert status is not None
    assert status.state is SessionState.SIGNED_IN
    assert status.last_failure_outcome is Outcome.PORTAL_ERROR
    assert status.last_failure_reason == "HTTP 503"
    assert status.last_success_at is not None and status.last_failure_at is not None
    assert status.last_failure_at > status.last_success_at
    assert status.open_transfers.needs_review == 1  # the wrong password
    assert status.open_transfers.notice_received == 1  # the 503 waits for its retry
    assert status.next_retry_at is not None and status.next_retry_at > status.checked_at


def test_breaker_pause_and_assisted_mode_say_when_it_may_act(
    engine: Engine, make_transfer: Make, account: Callable[[], PortalAccountInfo],
) -> None:
    paused, assisted = account(), account()
    tripping = ClaimService(engine, role=Role.BOT, breaker=BreakerPolicy(blocks=1))
    _run(tripping, make_transfer, paused.id, Outcome.BLOCKED, "Access to this page is denied")
    make_transfer(account_id=paused.id)  # awaiting its notice
    BreakerService(engine, "Sam", role=Role.SUPERVISOR).set_automation_mode(assisted.id,
                                                                            "assisted")

    service = AccountStatusService(engine, role=Role.STAFF)
    status = service.status(paused.id)
    assert status is not None
    assert status.state is SessionState.PAUSED_BY_BREAKER
    assert status.may_act_at is not None and status.may_act_at > status.checked_at
    assert "circuit breaker" in status.waiting_reason and "1 blocked run" in status.waiting_reason
    assert status.state_since is not None
    assert status.open_transfers.awaiting_notice == 1 and status.open_transfers.total == 2
    other = service.status(assisted.id)
    assert other is not None
    assert other.automation_mode is AutomationMode.ASSISTED
    assert other.may_act_at is None and other.waiting_reason.startswith("assisted")

    BreakerService(engine, "Sam", role=Role.SUPERVISOR).resume(paused.site_url)
    resumed = AccountStatusService(engine, role=Role.STAFF, min_interval=timedelta(0)
                                   ).status(paused.id)
    assert resumed is not None and resumed.state is SessionState.BLOCKED_BY_SITE
    assert resumed.waiting_reason == "" and resumed.may_act_at == resumed.checked_at
    paced = AccountStatusService(engine, role=Role.STAFF, min_interval=timedelta(hours=1)
                                 ).status(paused.id)
    assert paced is not None and paced.waiting_reason.startswith("rate limit")
    assert paced.may_act_at is not None and paced.may_act_at > paced.checked_at


def test_one_query_whatever_the_number_of_accounts(
    engine: Engine, bot_claims: ClaimService, make_transfer: Make,
    account: Callable[[], PortalAccountInfo],
) -> None:
    for _ in range(5):
        acct = account()
        _run(bot_claims, make_transfer, acct.id, Outcome.ACCEPTED)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        statuses = AccountStatusService(engine, role=Role.STAFF).statuses()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statuses) >= 5
    assert len([s for s in statements if "set_config" not in s]) == 1
