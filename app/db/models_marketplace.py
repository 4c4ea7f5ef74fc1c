"""ORM models of the marketplace boundary (migration 0009): order inbox, outcome feed, webhooks.

``order_inbox`` is written by the marketplace (role ``transferdesk_intake``) and answered by
TransferDesk; ``outcome_events`` is append-only and filled by a trigger on ``transfers``;
``webhook_deliveries`` / ``webhook_cursors`` hold the deliverer's at-least-once queue.
See docs/integration.md for the contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

TZ = DateTime(timezone=True)

INBOX_KINDS = ("order", "cancel")
INBOX_STATUSES = ("pending", "applied", "duplicate", "updated", "rejected")
#: One row per decision and per escrow result (the ``type`` of an outcome event).
OUTCOME_TYPES = ("verified", "rejected", "expired", "needs_review", "captured", "cancelled",
                 "lapsed")
DELIVERY_STATUSES = ("pending", "delivered", "dead")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class OrderInbox(Base):
    """One order (or cancellation) handed over by the marketplace, and TransferDesk's answer."""

    __tablename__ = "order_inbox"
    __table_args__ = (
        CheckConstraint(_in("kind", INBOX_KINDS), name="kind"),
        CheckConstraint(_in("status", INBOX_STATUSES), name="status"),
        Index("ix_order_inbox_pending", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_order_inbox_order_ref", "order_ref", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text, server_default="order")
    payload_version: Mapped[int] = mapped_column(Integer, server_default="1")
    order_ref: Mapped[str] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    site_url: Mapped[str | None] = mapped_column(Text)
    event_name: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    event_starts_at: Mapped[datetime | None] = mapped_column(TZ)
    section: Mapped[str | None] = mapped_column(Text)
    row: Mapped[str | None] = mapped_column(Text)
    seats: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    quantity: Mapped[int | None] = mapped_column(Integer)
    seller_name: Mapped[str | None] = mapped_column(Text)
    seller_email: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(Text)
    accept_by: Mapped[datetime | None] = mapped_column(TZ)
    hold_expires_at: Mapped[datetime | None] = mapped_column(TZ)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(Text, server_default=text("current_user"))
    submitted_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    transfer_id: Mapped[int | None] = mapped_column(BigInteger)
    processed_at: Mapped[datetime | None] = mapped_column(TZ)


class OutcomeEvent(Base):
    """What happened to an order (append-only; written by a trigger in the change's transaction)."""

    __tablename__ = "outcome_events"
    __table_args__ = (
        CheckConstraint(_in("type", OUTCOME_TYPES), name="type"),
        Index("ix_outcome_events_transfer", "transfer_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    order_ref: Mapped[str] = mapped_column(Text)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"))
    at: Mapped[datetime] = mapped_column(TZ, server_default=text("clock_timestamp()"))
    actor: Mapped[str] = mapped_column(Text, server_default=text("current_user"))
    actor_name: Mapped[str] = mapped_column(Text, server_default="")
    method: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), server_default="{}")
    status: Mapped[str] = mapped_column(Text)
    escrow_status: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class WebhookCursor(Base):
    """How far the deliverer has fanned out events and alarms for one endpoint."""

    __tablename__ = "webhook_cursors"

    endpoint: Mapped[str] = mapped_column(Text, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, server_default="0")
    last_alarm_id: Mapped[int] = mapped_column(BigInteger, server_default="0")


class WebhookDelivery(Base):
    """One event (or alarm) to POST to one endpoint, with its retry state."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
        CheckConstraint("(event_id IS NULL) <> (alarm_id IS NULL)", name="one_source"),
        UniqueConstraint("endpoint", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        UniqueConstraint("endpoint", "alarm_id", name="uq_webhook_deliveries_endpoint_alarm"),
        Index("ix_webhook_deliveries_due", "next_attempt_at", "id",
              postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_order", "endpoint", "transfer_id", "id",
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    endpoint: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_events.id"))
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarms.id"))
    transfer_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())
    next_attempt_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())
    lease_until: Mapped[datetime | None] = mapped_column(TZ)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(TZ)
