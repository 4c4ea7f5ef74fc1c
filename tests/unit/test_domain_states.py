"""The state machine table, outcome classification and retry timing (pure functions)."""

import random
from datetime import timedelta

import pytest

from app.domain.errors import IllegalTransitionError, KnownError, UnknownValueError
from app.domain.retry import MAX_DELAY, backoff_delay
from app.domain.states import (
    OPEN_STATUSES,
    RETRYABLE_OUTCOMES,
    TRANSITIONS,
    Action,
    Outcome,
    Status,
    check_transition,
    outcome_action,
    parse_status,
)


@pytest.mark.parametrize("action", list(Action))
def test_every_action_accepts_exactly_its_table_entries(action: Action) -> None:
    rule = TRANSITIONS[action]
    for source in Status:
        for target in Status:
            legal = source in rule.sources and target in rule.targets
            if action is Action.REASSIGN:
                legal = legal and source is target
            if legal:
                check_transition(action, source, target)
            else:
                with pytest.raises(IllegalTransitionError) as info:
                    check_transition(action, source, target)
                assert source.value in str(info.value)


def test_illegal_transition_is_a_known_error_with_a_clear_message() -> None:
    with pytest.raises(KnownError, match="cannot claim: the transfer is 'verified'"):
        check_transition(Action.CLAIM, Status.VERIFIED, Status.ACCEPTING)


def test_terminal_states_only_leave_by_reopen() -> None:
    for action, rule in TRANSITIONS.items():
        if action is not Action.REOPEN:
            assert not rule.sources & {Status.VERIFIED, Status.REJECTED, Status.EXPIRED}


def test_manual_decisions_allowed_from_every_open_state() -> None:
    assert TRANSITIONS[Action.MANUAL_VERIFY].sources == OPEN_STATUSES
    assert TRANSITIONS[Action.MANUAL_REJECT].sources == OPEN_STATUSES


@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcome_classification(outcome: Outcome) -> None:
    first = outcome_action(outcome, attempts=1, max_attempts=3)
    last = outcome_action(outcome, attempts=3, max_attempts=3)
    if outcome in (Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED):
        assert first is last is Action.RUN_VERIFIED
    elif outcome in RETRYABLE_OUTCOMES:
        assert (first, last) == (Action.RUN_RETRY, Action.RUN_NEEDS_REVIEW)
    else:
        assert first is last is Action.RUN_NEEDS_REVIEW


def test_retryable_set_is_what_the_design_says() -> None:
    assert RETRYABLE_OUTCOMES == {Outcome.PORTAL_ERROR, Outcome.TIMEOUT}


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    first = [backoff_delay(1, rng) for _ in range(200)]
    assert min(first) >= timedelta(seconds=24) and max(first) <= timedelta(seconds=36)
    assert len({d.total_seconds() for d in first}) > 100  # jittered, not constant
    assert backoff_delay(3, random.Random(1)) > backoff_delay(1, random.Random(1))
    assert all(backoff_delay(50, rng) <= MAX_DELAY * 1.2 for _ in range(50))


def test_parse_status_rejects_unknown_with_the_valid_list() -> None:
    assert parse_status(" Verified ") is Status.VERIFIED
    with pytest.raises(UnknownValueError, match="unknown status 'done'.*awaiting_notice"):
        parse_status("done")
