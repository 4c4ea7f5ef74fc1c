"""Read the outcome feed by cursor (``id > last_seen``), as consumers and the deliverer do.

Rows are written by the trigger ``transfers_outcome_event`` (migration 0009) in the same
transaction as the change they report, so a committed change always has its event and a
rolled-back one never does. NOTIFY ``outcome_events`` carries the new id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models_marketplace import OutcomeEvent
from app.services.base import Service

CHANNEL = "outcome_events"


@dataclass(frozen=True)
class OutcomeRecord:
    """One outcome event as the marketplace sees it."""

    id: int
    type: str
    order_ref: str
    transfer_id: int
    at: datetime
    actor: str
    actor_name: str
    method: str | None
    evidence_ids: tuple[int, ...]
    status: str
    escrow_status: str
    detail: dict[str, Any]

    @property
    def event_id(self) -> str:
        """The stable id receivers dedupe on."""
        return f"evt_{self.id}"

    def payload(self) -> dict[str, Any]:
        """The webhook JSON body (docs/integration.md, "Payload")."""
        return {
            "id": self.event_id, "type": f"outcome.{self.type}", "created": self.at.isoformat(),
            "data": {"outcome": self.type, "order_ref": self.order_ref,
                     "transfer_id": self.transfer_id, "actor": self.actor,
                     "actor_name": self.actor_name, "method": self.method,
                     "evidence_ids": list(self.evidence_ids), "status": self.status,
                     "escrow_status": self.escrow_status, "detail": self.detail},
        }


def to_record(row: OutcomeEvent) -> OutcomeRecord:
    """The frozen view of one row."""
    return OutcomeRecord(row.id, row.type, row.order_ref, row.transfer_id, row.at, row.actor,
                         row.actor_name, row.method, tuple(row.evidence_ids or ()), row.status,
                         row.escrow_status, dict(row.detail or {}))


def events_after(session: Session, last_seen: int, limit: int = 500) -> list[OutcomeRecord]:
    """Events with ``id > last_seen`` in id order."""
    stmt = (select(OutcomeEvent).where(OutcomeEvent.id > last_seen)
            .order_by(OutcomeEvent.id).limit(limit))
    return [to_record(r) for r in session.scalars(stmt)]


class OutcomeFeed(Service):
    """Read the outcome feed (any role with SELECT on outcome_events)."""

    def after(self, last_seen: int, limit: int = 500) -> list[OutcomeRecord]:
        """Events with ``id > last_seen``, oldest first."""
        with self.transaction() as session:
            return events_after(session, last_seen, limit)

    def for_transfer(self, transfer_id: int) -> list[OutcomeRecord]:
        """Every event of one transfer, oldest first."""
        with self.transaction() as session:
            stmt = (select(OutcomeEvent).where(OutcomeEvent.transfer_id == transfer_id)
                    .order_by(OutcomeEvent.id))
            return [to_record(r) for r in session.scalars(stmt)]
