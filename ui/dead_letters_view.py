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
from ui.row_action_view import RowActionView


class DeadLettersView(RowActionView[DeadLetter]):
    """The dead letters table with Refresh and Resend selected."""

    TITLE = "Webhook deliveries that gave up"
    TABLE_NAME = "Dead letters"
    ACTION_TEXT = "Resend selected"
    VERB = "Resend"
    WHAT = "dead letters"

    def __init__(self, service: WebhookService, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(DeadLettersModel(), executor, tasks, parent)
        self._service = service
        self.resend_button = self.action_button

    def load(self) -> Sequence[DeadLetter]:
        """The dead letters (blocking)."""
        return self._service.dead_letters()

    def act(self, keys: list[int]) -> Sequence[int]:
        """Queue the deliveries with ``keys`` again (blocking)."""
        return self._service.resend(keys)

    def key(self, row: DeadLetter) -> int:
        """The delivery id."""
        return row.id

    def loaded_text(self, rows: Sequence[DeadLetter]) -> str:
        """How many dead deliveries, or that there are none."""
        return (f"{len(rows)} dead deliver{'y' if len(rows) == 1 else 'ies'}" if rows
                else "No dead letters: every webhook was delivered.")

    def acted_text(self, done: Sequence[int], selected: Sequence[int]) -> str:
        """How many of the selected were queued again."""
        return f"Queued again: {len(done)} of {len(selected)} selected."

    async def resend_selected(self) -> None:
        """Queue the selected deliveries again, then reload."""
        await self.act_on_selected()
