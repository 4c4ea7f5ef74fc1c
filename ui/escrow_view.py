"""Escrow problems: held money that did not move as decided, with a retry.

The list comes from ``EscrowService.problems()`` (through the desk backend) into
:class:`~ui.models.escrow_problems.EscrowProblemsModel`; "Retry" re-queues failed
captures/cancels (one audit row each) for the escrow processor, which is the only code that
calls Stripe.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from app.desk.api import DeskBackend
from app.escrow.repository import EscrowProblem
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.escrow_problems import EscrowProblemsModel
from ui.row_action_view import RowAction, RowActionView


def _loaded(problems: Sequence[EscrowProblem]) -> str:
    if not problems:
        return "No escrow problems: every decided hold moved."
    return f"{len(problems)} escrow problem(s)"


def _retried(queued: Sequence[int], selected: Sequence[int]) -> str:
    return (f"Queued again: {len(queued)} of {len(selected)} selected "
            "(only failed ones can be retried).")


class EscrowProblemsView(RowActionView[EscrowProblem]):
    """A table of escrow problems with Refresh and Retry selected."""

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        action = RowAction[EscrowProblem](
            title="Held money that did not move as decided", table_name="Escrow problems",
            button="Retry selected", verb="Retry", what="escrow problems",
            load=backend.escrow_problems, act=backend.escrow_retry,
            key=lambda problem: problem.transfer_id, loaded_text=_loaded, acted_text=_retried)
        super().__init__(EscrowProblemsModel(), action, executor, tasks, parent)
        self.retry_button = self.action_button

    async def retry_selected(self) -> None:
        """Re-queue the selected failed captures/cancels, then reload."""
        await self.act_on_selected()
