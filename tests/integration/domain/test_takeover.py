"""The takeover audit: one row with who, when, how long; no state change; bad input refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import DomainError, NotFoundError, UnknownValueError
from app.domain.records import TransferFull
from app.domain.states import Action, Status, check_transition
from app.services.queue import QueueService
from app.services.transfers import TransferService

STARTED = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)


def test_takeover_writes_one_audit_row_with_who_when_and_how_long(
    staff: TransferService, queue: QueueService, make_transfer: Callable[..., TransferFull]
) -> None:
    transfer = make_transfer(notice=True)
    ended = STARTED + timedelta(seconds=95.6)

    seconds = staff.record_takeover(transfer.row.id, STARTED, ended, "handed_back")

    detail = queue.detail(transfer.row.id)
    takeovers = [a for a in detail.audit if a.action == Action.TAKEOVER.value]
    assert seconds == 96
    assert len(takeovers) == 1
    entry = takeovers[0]
    assert entry.actor_name == "Dana (desk 3)"
    assert entry.actor_role == "transferdesk_staff"
    assert entry.from_status == entry.to_status == Status.NOTICE_RECEIVED.value
    assert entry.detail == {
        "who": "Dana (desk 3)", "started_at": STARTED.isoformat(),
        "ended_at": ended.isoformat(), "seconds": 96, "outcome": "handed_back",
    }
    after = queue.get(transfer.row.id)
    assert after.row.status == Status.NOTICE_RECEIVED.value
    assert after.row.version == transfer.row.version  # audit only: the transfer is untouched


def test_gave_up_is_recorded_too(
    staff: TransferService, queue: QueueService, make_transfer: Callable[..., TransferFull]
) -> None:
    transfer = make_transfer(notice=True)
    staff.record_takeover(transfer.row.id, STARTED, STARTED, "gave_up")
    outcomes = [a.detail["outcome"] for a in queue.detail(transfer.row.id).audit
                if a.action == "takeover"]
    assert outcomes == ["gave_up"]


@pytest.mark.parametrize(
    ("outcome", "started", "ended", "error", "message"),
    [
        ("finished", STARTED, STARTED, UnknownValueError, "unknown takeover outcome"),
        ("gave_up", STARTED, STARTED - timedelta(seconds=1), DomainError, "before it started"),
        ("gave_up", STARTED.replace(tzinfo=None), STARTED, DomainError, "timezone"),
    ],
)
def test_bad_takeover_input_is_refused_and_writes_nothing(
    staff: TransferService, queue: QueueService, make_transfer: Callable[..., TransferFull],
    outcome: str, started: datetime, ended: datetime, error: type[Exception], message: str,
) -> None:
    transfer = make_transfer()
    with pytest.raises(error, match=message):
        staff.record_takeover(transfer.row.id, started, ended, outcome)
    assert not [a for a in queue.detail(transfer.row.id).audit if a.action == "takeover"]


def test_takeover_of_a_missing_transfer_is_a_clear_error(staff: TransferService) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        staff.record_takeover(987_654_321, STARTED, STARTED, "gave_up")


def test_takeover_is_never_a_state_transition() -> None:
    for status in Status:
        with pytest.raises(DomainError):
            check_transition(Action.TAKEOVER, status, status)
