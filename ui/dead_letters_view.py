"""Dead letters: webhook deliveries that gave up after ~3 days, with Resend.

The list comes from ``WebhookService.dead_letters()`` into
:class:`~ui.models.dead_letters.DeadLettersModel`; Resend queues the selected deliveries again
(the deliverer in the worker or ``transferdesk webhooks deliver`` sends them).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from app.webhooks.repository import DeadLetter
from app.webhooks.service import WebhookService
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.dead_letters import DeadLettersModel
from ui.row_action_view import RowAction, RowActionView


def _count(letters: Sequence[DeadLetter]) -> str:
    n = len(letters)
    return f"{n} dead deliver{'y' if n == 1 else 'ies'}" if n else \
        "No dead letters: every webhook was delivered."


class DeadLettersView(RowActionView[DeadLetter]):
    """The dead letters table with Refresh and Resend selected."""

    def __init__(self, service: WebhookService, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(DeadLettersModel(), RowAction[DeadLetter](
            title="Webhook deliveries that gave up", table_name="Dead letters",
            button="Resend selected", verb="Resend", what="dead letters",
            load=service.dead_letters, act=service.resend, key=lambda letter: letter.id,
            loaded_text=_count,
            acted_text=lambda done, ids: f"Queued again: {len(done)} of {len(ids)} selected."),
            executor, tasks, parent)
        self.resend_button = self.action_button

    async def resend_selected(self) -> None:
        """Queue the selected deliveries again, then reload."""
        await self.act_on_selected()
