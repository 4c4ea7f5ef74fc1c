"""Escrow problems: held money that did not move as decided, with a retry.

The list comes from ``EscrowService.problems()`` (through the desk backend) into
:class:`~ui.models.escrow_problems.EscrowProblemsModel`; "Retry" re-queues failed
captures/cancels (one audit row each) for the escrow processor, which is the only code that
calls Stripe.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from app.escrow.repository import EscrowProblem
from ui.backend import DeskBackend
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.escrow_problems import EscrowProblemsModel
from ui.row_action_view import RowActionView


class EscrowProblemsView(RowActionView[EscrowProblem]):
    """A table of escrow problems with Refresh and Retry selected."""

    TITLE = "Held money that did not move as decided"
    TABLE_NAME = "Escrow problems"
    ACTION_TEXT = "Retry selected"
    VERB = "Retry"
    WHAT = "escrow problems"

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(EscrowProblemsModel(), executor, tasks, parent)
        self._backend = backend
        self.retry_button = self.action_button

    def load(self) -> Sequence[EscrowProblem]:
        """The escrow problems (blocking)."""
        return self._backend.escrow_problems()

    def act(self, keys: list[int]) -> Sequence[int]:
        """Re-queue the failed ones among ``keys`` (transfer ids; blocking)."""
        return self._backend.escrow_retry(keys)

    def key(self, row: EscrowProblem) -> int:
        """The transfer id."""
        return row.transfer_id

    def loaded_text(self, rows: Sequence[EscrowProblem]) -> str:
        """How many problems, or that there are none."""
        return (f"{len(rows)} escrow problem(s)" if rows
                else "No escrow problems: every decided hold moved.")

    def acted_text(self, done: Sequence[int], selected: Sequence[int]) -> str:
        """How many of the selected were queued again."""
        return (f"Queued again: {len(done)} of {len(selected)} selected "
                "(only failed ones can be retried).")

    async def retry_selected(self) -> None:
        """Re-queue the selected failed captures/cancels, then reload."""
        await self.act_on_selected()
