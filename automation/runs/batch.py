"""A batch of acceptance runs, one after another (no Qt): the desk's "Accept selected".

:class:`BatchRun` owns the order, the shared abort signal and how each transfer ended; the run
panel only renders its progress (:class:`BatchListener`) and forwards Abort. A transfer whose
run cannot start (a refused claim, no password) does not stop the rest; after Abort, the
remaining transfers are listed as not started.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from app.domain.states import SUCCESS_OUTCOMES

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
        return f"{mark} {ref}: {self.result.outcome} {self.result.detail}".strip()


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
    """

    def __init__(self, items: Sequence[BatchItem], start_run: StartRun) -> None:
        from automation.runs.jobs import AbortSignal

        self.items = tuple(items)
        self.abort_signal = AbortSignal()
        self._start_run = start_run
        self.lines: list[BatchLine] = []

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
        results: list[RunResult] = []
        for index, item in enumerate(self.items):
            if self.aborted:
                line = BatchLine(item, not_run=ABORTED)
            else:
                listener.item_started(index, total, item)
                try:
                    result = await self._start_run(item.transfer_id, self.abort_signal)
                except Exception as exc:  # a refused claim must not stop the rest of the batch
                    line = BatchLine(item, not_run=str(exc))
                else:
                    results.append(result)
                    line = BatchLine(item, result)
            self.lines.append(line)
            listener.item_ended(index, total, line)
        return results
