"""A batch of acceptance runs, one after another (no Qt): the desk's "Accept selected".

:class:`BatchRun` owns the order, the shared abort signal, how long each transfer took and how
each ended; the run panel only renders its progress (:class:`BatchListener`), its ETA
(:meth:`BatchRun.remaining_seconds`, from the running mean of finished items) and its
:class:`BatchSummary`, and forwards Abort. A transfer whose run cannot start (a refused claim,
no password) does not stop the rest; after Abort, the remaining transfers are listed as not
started.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from app.domain.states import SUCCESS_OUTCOMES, Outcome, Status

if TYPE_CHECKING:  # Playwright loads with the runner, on the first run
    from automation.runs.jobs import AbortSignal, RunResult


@dataclass(frozen=True)
class BatchItem:
    """One transfer of a batch."""

    transfer_id: int
    order_ref: str


@dataclass(frozen=True)
class BatchLine:
    """How one transfer of a batch ended: its run's result, or why it did not run."""

    item: BatchItem
    result: RunResult | None = None
    not_run: str = ""  # why there is no result ("aborted" or the refusal)
    seconds: float = 0.0  # how long the transfer took (0 when it was not started)

    @property
    def succeeded(self) -> bool:
        """True when the transfer is ours on the portal."""
        return self.result is not None and self.result.outcome in SUCCESS_OUTCOMES

    @property
    def text(self) -> str:
        """One line for the results list."""
        ref = self.item.order_ref
        if self.result is None:
            if self.not_run == ABORTED:
                return f"{ref}: not started (aborted)"
            return f"{ref}: not run — {self.not_run}"
        mark = "✔" if self.succeeded else "✘"
        took = f" ({self.seconds:.1f} s)" if self.seconds else ""
        return f"{mark} {ref}: {self.result.outcome} {self.result.detail}".strip() + took

    @property
    def group(self) -> BatchGroup:
        """Where the summary lists this transfer."""
        result = self.result
        if result is None:
            return BatchGroup.NOT_RUN
        if result.outcome in SUCCESS_OUTCOMES:
            return BatchGroup.ACCEPTED
        if result.outcome is Outcome.BLOCKED:
            return BatchGroup.BLOCKED
        if result.status == Status.NEEDS_REVIEW.value:
            return BatchGroup.NEEDS_REVIEW
        if result.outcome is Outcome.ABORTED:
            return BatchGroup.STOPPED
        if result.status == Status.NOTICE_RECEIVED.value:
            return BatchGroup.RETRYING
        return BatchGroup.OTHER


class BatchGroup(StrEnum):
    """How a transfer of a finished batch ended, as the summary groups them (in this order)."""

    ACCEPTED = "accepted"
    NEEDS_REVIEW = "needs_review"
    BLOCKED = "blocked"
    RETRYING = "retrying"  # a retryable failure: back in the queue with a later attempt
    STOPPED = "stopped"  # aborted by the operator mid-run
    NOT_RUN = "not_run"  # aborted before it started, or its run could not start
    OTHER = "other"  # journaled, lease lost, released, expired...


@dataclass(frozen=True)
class BatchSummary:
    """A finished batch: its lines by group (groups without lines are left out)."""

    groups: tuple[tuple[BatchGroup, tuple[BatchLine, ...]], ...]
    seconds: float

    @classmethod
    def of(cls, lines: Sequence[BatchLine], seconds: float) -> BatchSummary:
        """Group ``lines`` (in batch order within each group)."""
        groups = tuple(
            (group, members) for group in BatchGroup
            if (members := tuple(line for line in lines if line.group is group))
        )
        return cls(groups, seconds)

    def count(self, group: BatchGroup) -> int:
        """How many transfers ended in ``group``."""
        return next((len(lines) for g, lines in self.groups if g is group), 0)


def remaining_seconds(durations: Sequence[float], unfinished: int,
                      current_elapsed: float = 0.0) -> float | None:
    """Time left: the running mean of finished items times the unfinished ones (the current
    one included, less what it has already run). None before any item finished."""
    if not durations:
        return None
    mean = sum(durations) / len(durations)
    return max(0.0, mean * unfinished - current_elapsed)


ABORTED = "aborted"
#: Starts one transfer's run and resolves to its result (raises when it cannot start).
StartRun = Callable[[int, "AbortSignal"], Awaitable["RunResult"]]


class BatchListener(Protocol):
    """What a batch reports while it runs (called on the batch's own loop)."""

    def item_started(self, index: int, total: int, item: BatchItem) -> None:
        """Transfer ``index`` (0-based) of ``total`` is starting."""

    def item_ended(self, index: int, total: int, line: BatchLine) -> None:
        """Transfer ``index`` ended (or was skipped)."""


class BatchRun:
    """Runs ``items`` in order through ``start_run``.

    Args:
        items: the transfers, in the order staff selected them.
        start_run: claims one transfer and runs it (see :data:`StartRun`).
        clock: monotonic seconds (durations and the ETA).
    """

    def __init__(self, items: Sequence[BatchItem], start_run: StartRun,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from automation.runs.jobs import AbortSignal

        self.items = tuple(items)
        self.abort_signal = AbortSignal()
        self._start_run = start_run
        self.lines: list[BatchLine] = []
        self._clock = clock
        self._started_at = clock()
        self._current_since: float | None = None

    @property
    def summary(self) -> BatchSummary:
        """The lines so far, grouped (complete once :meth:`run` returned)."""
        return BatchSummary.of(self.lines, self._clock() - self._started_at)

    def remaining_seconds(self) -> float | None:
        """The ETA of the batch's end (see :func:`remaining_seconds`)."""
        durations = [line.seconds for line in self.lines if line.result is not None]
        current = 0.0 if self._current_since is None else self._clock() - self._current_since
        return remaining_seconds(durations, len(self.items) - len(self.lines), current)

    @property
    def aborted(self) -> bool:
        """True once :meth:`abort` was called."""
        return self.abort_signal.aborted

    def abort(self) -> None:
        """Stop at the current run's next safe point; start no further runs."""
        self.abort_signal.abort()

    async def run(self, listener: BatchListener) -> list[RunResult]:
        """Run every transfer in turn; the results of those that ran, in order."""
        total = len(self.items)
        self._started_at = self._clock()
        results: list[RunResult] = []
        for index, item in enumerate(self.items):
            if self.aborted:
                line = BatchLine(item, not_run=ABORTED)
            else:
                self._current_since = started = self._clock()
                listener.item_started(index, total, item)
                try:
                    result = await self._start_run(item.transfer_id, self.abort_signal)
                except Exception as exc:  # a refused claim must not stop the rest of the batch
                    line = BatchLine(item, not_run=str(exc))
                else:
                    results.append(result)
                    line = BatchLine(item, result, seconds=self._clock() - started)
                self._current_since = None
            self.lines.append(line)
            listener.item_ended(index, total, line)
        return results
