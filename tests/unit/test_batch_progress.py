"""A batch's durations, ETA and summary groups (automation.runs.batch, no Qt, no browser)."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.states import Outcome
from automation.runs.batch import (
    ABORTED,
    BatchGroup,
    BatchItem,
    BatchLine,
    BatchRun,
    BatchSummary,
    remaining_seconds,
)
from automation.runs.jobs import AbortSignal, RunResult


def _result(transfer_id: int, outcome: Outcome, status: str) -> RunResult:
    return RunResult(f"run-{transfer_id}", transfer_id, outcome, "", status, False, True)


def test_remaining_seconds_is_the_running_mean_times_what_is_left() -> None:
    assert remaining_seconds([], 3) is None, "no estimate before the first item finished"
    assert remaining_seconds([10.0, 20.0], 3) == 45.0
    assert remaining_seconds([10.0, 20.0], 3, current_elapsed=5.0) == 40.0
    assert remaining_seconds([10.0], 1, current_elapsed=30.0) == 0.0, "never negative"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Listener:
    def __init__(self, batch_eta: list[float | None], clock: _Clock) -> None:
        self.etas = batch_eta
        self.clock = clock
        self.batch: BatchRun | None = None

    def item_started(self, index: int, total: int, item: BatchItem) -> None:
        assert self.batch is not None
        self.etas.append(self.batch.remaining_seconds())

    def item_ended(self, index: int, total: int, line: BatchLine) -> None:
        pass


OUTCOMES = {
    1: (Outcome.ACCEPTED, "verified", 12.0),
    2: (Outcome.WRONG_TICKETS, "needs_review", 8.0),
    3: (Outcome.BLOCKED, "needs_review", 4.0),
    4: (Outcome.TIMEOUT, "notice_received", 6.0),
}


def test_batch_times_each_item_estimates_the_rest_and_groups_the_summary() -> None:
    clock = _Clock()

    async def start_run(transfer_id: int, abort: AbortSignal) -> RunResult:
        if transfer_id == 5:
            raise RuntimeError("claimed by desk-2")
        outcome, status, seconds = OUTCOMES[transfer_id]
        clock.now += seconds
        return _result(transfer_id, outcome, status)

    etas: list[float | None] = []
    items = [BatchItem(i, f"ORD-{i}") for i in range(1, 6)]
    batch = BatchRun(items, start_run, clock=clock)
    listener = _Listener(etas, clock)
    listener.batch = batch
    results = asyncio.run(batch.run(listener))
    assert [r.transfer_id for r in results] == [1, 2, 3, 4]
    assert [line.seconds for line in batch.lines] == [12.0, 8.0, 4.0, 6.0, 0.0]
    # before item 2: mean 12 s x 4 left; before item 5: mean (12+8+4+6)/4 x 1 left
    assert etas == [None, 48.0, 30.0, 16.0, 7.5]
    summary = batch.summary
    assert summary.seconds == 30.0
    assert [(g, [line.item.transfer_id for line in lines]) for g, lines in summary.groups] == [
        (BatchGroup.ACCEPTED, [1]), (BatchGroup.NEEDS_REVIEW, [2]), (BatchGroup.BLOCKED, [3]),
        (BatchGroup.RETRYING, [4]), (BatchGroup.NOT_RUN, [5]),
    ]
    assert summary.count(BatchGroup.ACCEPTED) == 1 and summary.count(BatchGroup.OTHER) == 0
    assert "(12.0 s)" in batch.lines[0].text


@pytest.mark.parametrize(("line", "group"), [
    (BatchLine(BatchItem(1, "A"), _result(1, Outcome.ALREADY_ACCEPTED, "verified")),
     BatchGroup.ACCEPTED),
    (BatchLine(BatchItem(1, "A"), _result(1, Outcome.ABORTED, "notice_received")),
     BatchGroup.STOPPED),
    (BatchLine(BatchItem(1, "A"), _result(1, Outcome.PORTAL_ERROR, "journaled")),
     BatchGroup.OTHER),
    (BatchLine(BatchItem(1, "A"), not_run=ABORTED), BatchGroup.NOT_RUN),
])
def test_each_ending_has_one_group(line: BatchLine, group: BatchGroup) -> None:
    assert line.group is group
    assert BatchSummary.of([line], 1.0).count(group) == 1
