"""Blocked sites: each sandbox guard ends a run ``blocked`` (evidence, no retry), and a bot
challenge that stays after a takeover ends ``blocked`` too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Evidence, Run, Transfer
from automation.runs.events import TakeoverRequested
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World

GUARDS: dict[str, dict[str, Any]] = {
    "automation_guard": {"automation_guard": True},
    "hold_guard": {"hold_guard": True},
    "rate_guard": {"rate_limit_requests": 2, "rate_limit_seconds": 600},
}
GUARDS_OFF: dict[str, Any] = {"automation_guard": False, "hold_guard": False,
                              "rate_limit_requests": 0, "bot_challenge": False}


@pytest.fixture(autouse=True)
def _guards_off(world: World) -> Iterator[None]:
    yield
    world.portal.set_faults(SITE, **GUARDS_OFF)


def _row(world: World, transfer_id: int) -> Any:
    with world.engine.connect() as conn:
        return conn.execute(select(Transfer).where(Transfer.id == transfer_id)).one()


@pytest.mark.parametrize("guard", sorted(GUARDS))
def test_each_guard_ends_blocked_with_evidence_and_no_retry(world: World, guard: str) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, **GUARDS[guard])
    before = world.portal.request_count(SITE)

    result = world.run(transfer_id)

    assert result.outcome is Outcome.BLOCKED, result.detail
    assert "refuses automated browsers" in result.detail
    assert "reference id" in result.detail, result.detail
    assert result.status == "needs_review", "blocked is not retried on the backoff"
    row = _row(world, transfer_id)
    assert row.attempts == 1 and row.next_attempt_at is None and row.last_outcome == "blocked"
    used = world.portal.request_count(SITE) - before
    assert used <= 6, f"a blocked run stops at once ({used} requests)"
    assert world.portal.accept_counts().get(sent.token, 0) == 0
    assert world.claims.claim("another-worker") is None, "nothing to retry"
    assert world.portal.request_count(SITE) - before == used
    with world.engine.connect() as conn:
        kinds = conn.scalars(select(Evidence.kind).where(
            Evidence.transfer_id == transfer_id)).all()
        runs = conn.scalars(select(Run.outcome).where(Run.transfer_id == transfer_id)).all()
    assert "screenshot" in kinds and "upload" in kinds, kinds  # the block page, sanitized
    assert runs == ["blocked"]


def test_a_challenge_that_stays_after_the_takeover_ends_blocked(world: World) -> None:
    account = world.account()
    transfer_id, sent = world.transfer(account)
    world.portal.set_faults(SITE, bot_challenge=True)
    # the operator says "done", but the challenge never cleared (as inside an automated window)
    world.bus.subscribe(lambda e: e.answer.set("done"), TakeoverRequested)
    result = world.run(transfer_id, interactive=True)
    assert len(world.of_type(TakeoverRequested)) == 1, "the takeover is offered once"
    assert result.outcome is Outcome.BLOCKED, result.detail
    assert "not cleared or came back" in result.detail
    assert result.status == "needs_review"
    assert world.portal.accept_counts().get(sent.token, 0) == 0
