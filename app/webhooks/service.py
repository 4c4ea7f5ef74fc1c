"""Dead letters for people: list them and queue them again (the desk's Dead letters view)."""

from __future__ import annotations

from collections.abc import Collection

from app.services.base import Service
from app.webhooks import repository as repo
from app.webhooks.repository import DeadLetter


class WebhookService(Service):
    """Read and resend dead-lettered deliveries."""

    def dead_letters(self, limit: int = 1000) -> list[DeadLetter]:
        """Dead deliveries, newest first."""
        with self.transaction() as session:
            return repo.dead_letters(session, limit)

    def resend(self, delivery_ids: Collection[int]) -> list[int]:
        """Queue these dead deliveries again at once; the ids that were dead."""
        with self.transaction() as session:
            return repo.resend(session, delivery_ids)

    def counts(self) -> dict[str, int]:
        """Deliveries per status (pending, delivered, dead)."""
        with self.transaction() as session:
            return repo.counts(session)
