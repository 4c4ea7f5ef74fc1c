"""ORM models (typed SQLAlchemy 2). ORM objects never leave app/: services return dataclasses.

Enum-like columns are ``text`` with CHECK constraints (easy to evolve); the values come from
:mod:`app.domain.states`. The schema itself is created by the Alembic migrations in
``app/db/migrations/versions``; these models mirror it for queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db.base import Base
from app.domain.states import OPEN_STATUSES, EscrowStatus, Method, Outcome, Status

__all__ = [
    "Alarm",
    "AuditLog",
    "Base",
    "Evidence",
    "MailMessage",
    "MailSyncState",
    "PortalAccount",
    "Run",
    "Transfer",
    "Worker",
]

TZ = DateTime(timezone=True)

EVIDENCE_KINDS = ("screenshot", "trace", "email", "upload")
WORKER_KINDS = ("desktop", "worker")
MATCH_STATUSES = ("pending", "matched", "unmatched", "ambiguous", "ignored", "oversized",
                  "malformed")
#: Known alarm kinds; the column is free text so new kinds need no migration.
ALARM_KINDS = ("template_drift", "selector_drift", "stale_worker", "escrow_failure",
               "mail_failure", "bot_challenge")


#: "Due" = the earliest deadline; unknown sorts last (a far-future finite sentinel, because
#: psycopg cannot load 'infinity' timestamps).
DUE_AT = "COALESCE(LEAST(accept_by, event_starts_at, hold_expires_at), '9999-12-31 00:00:00+00')"


def one_of(column: str, values: Any) -> str:
    """SQL for ``column IN (...)`` over the string values of an enum or tuple."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _now() -> Any:
    return mapped_column(TZ, nullable=False, server_default=func.now())


class PortalAccount(Base):
    """The marketplace's account on one portal site; its password is in the keyring."""

    __tablename__ = "portal_accounts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    platform: Mapped[str] = mapped_column(Text, server_default="paciolan")
    site_url: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, server_default="")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _now()
    profile: Mapped[str | None] = mapped_column(Text)  # selector profile; NULL: detect
    automation_mode: Mapped[str] = mapped_column(Text, server_default="automatic")  # 0012


class Transfer(Base):
    """One expected incoming ticket transfer for one marketplace order."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint(one_of("status", Status), name="status"),
        CheckConstraint(f"last_outcome IS NULL OR {one_of('last_outcome', Outcome)}",
                        name="last_outcome"),
        CheckConstraint(f"method IS NULL OR {one_of('method', Method)}", name="method"),
        CheckConstraint(one_of("escrow_status", EscrowStatus), name="escrow_status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        CheckConstraint("amount_to_capture IS NULL OR amount_to_capture >= 0",
                        name="capture_non_negative"),
        Index("ix_transfers_due", "due_at", "id"),
        Index("ix_transfers_status_due", "status", "due_at", "id"),
        # The desk's default queue: open transfers in due order (migration 0013).
        Index("ix_transfers_open_due", "due_at", "id",
              postgresql_where=text(one_of("status", sorted(s.value for s in OPEN_STATUSES)))),
        Index("ix_transfers_created", "created_at", "id"),
        Index("ix_transfers_updated", "updated_at", "id"),
        Index("ix_transfers_account", "account_id", "due_at", "id"),
        Index("ix_transfers_platform", "platform", "due_at", "id"),
        Index("ix_transfers_event", "event_name", "due_at", "id"),
        Index("ix_transfers_seller_name", func.lower(text("seller_name"))),
        Index("ix_transfers_seller_email", func.lower(text("seller_email"))),
        Index("ix_transfers_transfer_ref", "transfer_ref"),
        Index("ix_transfers_payment_intent", "payment_intent_id"),
        Index("ix_transfers_escrow", "escrow_status", "escrow_next_attempt_at"),
        Index("ix_transfers_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
        Index("ix_transfers_claimable", "due_at", "id",
              postgresql_where=text("status = 'notice_received' AND claimed_by IS NULL")),
        Index("ix_transfers_leased", "lease_until",
              postgresql_where=text("claimed_by IS NOT NULL")),
        # One per queue sort key, exactly as app/repositories/queue.py orders (migration 0004).
        Index("ix_transfers_sort_status", "status", "id"),
        Index("ix_transfers_sort_event", "event_name", "id"),
        Index("ix_transfers_sort_event_date", text("(event_starts_at IS NULL)"),
              text("COALESCE(event_starts_at, '1970-01-01 00:00:00+00'::timestamptz)"), "id"),
        Index("ix_transfers_sort_seller", "seller_name", "id"),
        Index("ix_transfers_sort_account", text("(account_id IS NULL)"),
              text("COALESCE(account_id, 0)"), "id"),
        Index("ix_transfers_sort_attempts", "attempts", "id"),
        Index("ix_transfers_sort_section", "section", "id"),
        Index("ix_transfers_sort_notice", text("(notice_received_at IS NULL)"),
              text("COALESCE(notice_received_at, '1970-01-01 00:00:00+00'::timestamptz)"), "id"),
        Index("ix_transfers_sort_holder", text("(claimed_by IS NULL)"),
              text("COALESCE(claimed_by, ''::text)"), "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    order_ref: Mapped[str] = mapped_column(Text, unique=True)
    platform: Mapped[str] = mapped_column(Text, server_default="paciolan")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_accounts.id"))
    seller_name: Mapped[str] = mapped_column(Text, server_default="")
    seller_email: Mapped[str] = mapped_column(Text, server_default="")
    event_name: Mapped[str] = mapped_column(Text)
    venue: Mapped[str] = mapped_column(Text, server_default="")
    event_starts_at: Mapped[datetime | None] = mapped_column(TZ)
    section: Mapped[str] = mapped_column(Text, server_default="")
    row: Mapped[str] = mapped_column(Text, server_default="")
    seats: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    quantity: Mapped[int] = mapped_column(Integer, server_default="1")
    status: Mapped[str] = mapped_column(Text, server_default=Status.AWAITING_NOTICE.value)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    accept_by: Mapped[datetime | None] = mapped_column(TZ)
    accept_url: Mapped[str | None] = mapped_column(Text)
    transfer_ref: Mapped[str | None] = mapped_column(Text)
    notice_received_at: Mapped[datetime | None] = mapped_column(TZ)
    claimed_by: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(TZ)
    lease_until: Mapped[datetime | None] = mapped_column(TZ)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(TZ)
    last_outcome: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(TZ)
    verified_by: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text, server_default="usd")
    amount_to_capture: Mapped[int | None] = mapped_column(BigInteger)
    escrow_status: Mapped[str] = mapped_column(Text, server_default=EscrowStatus.NONE.value)
    escrow_error: Mapped[str | None] = mapped_column(Text)
    escrow_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    escrow_next_attempt_at: Mapped[datetime | None] = mapped_column(TZ)
    escrow_updated_at: Mapped[datetime | None] = mapped_column(TZ)
    hold_expires_at: Mapped[datetime | None] = mapped_column(TZ)
    due_at: Mapped[datetime] = mapped_column(
        TZ,
        Computed(DUE_AT,
                 persisted=True),
    )
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed(
            "lower(order_ref || ' ' || seller_name || ' ' || seller_email || ' ' || event_name"
            " || ' ' || venue || ' ' || section || ' ' || coalesce(transfer_ref, '')"
            " || ' ' || coalesce(payment_intent_id, ''))",
            persisted=True,
        ),
    )
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = _now()


class Evidence(Base):
    """A stored file backing a decision: screenshot, Playwright trace, raw email or upload."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(one_of("kind", EVIDENCE_KINDS), name="kind"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    evidence_key: Mapped[str | None] = mapped_column(Text, unique=True)  # a run's item, once
    created_by: Mapped[str] = mapped_column(Text, server_default=text("session_user"))
    created_by_name: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = _now()


class Run(Base):
    """One acceptance attempt on one transfer by one worker."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', Outcome)}", name="outcome"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    worker: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = _now()
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    outcome: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, server_default="")
    trace_evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", use_alter=True)
    )


class MailMessage(Base):
    """One email seen in a watched mailbox, its parse and its match to a transfer."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        CheckConstraint(one_of("match_status", MATCH_STATUSES), name="match_status"),
        Index("ix_mail_messages_uid", "mailbox", "folder", "uidvalidity", "uid"),
        Index("ix_mail_messages_match_status", "match_status", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    message_key: Mapped[str] = mapped_column(Text, unique=True)
    mailbox: Mapped[str] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(Text, server_default="INBOX")
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    from_addr: Mapped[str] = mapped_column(Text, server_default="")
    subject: Mapped[str] = mapped_column(Text, server_default="")
    received_at: Mapped[datetime | None] = mapped_column(TZ)
    size: Mapped[int] = mapped_column(BigInteger, server_default="0")
    kind: Mapped[str] = mapped_column(Text, server_default="unknown")
    parsed: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    parse_error: Mapped[str | None] = mapped_column(Text)
    match_status: Mapped[str] = mapped_column(Text, server_default="pending")
    match_score: Mapped[float | None] = mapped_column()
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_at: Mapped[datetime] = _now()


class MailSyncState(Base):
    """How far one mailbox folder has been read (IMAP UIDVALIDITY + last UID)."""

    __tablename__ = "mail_sync_state"

    mailbox: Mapped[str] = mapped_column(Text, primary_key=True)
    folder: Mapped[str] = mapped_column(Text, primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, server_default="0")
    updated_at: Mapped[datetime] = _now()


class AuditLog(Base):
    """Append-only record of every change (a trigger rejects UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_transfer", "transfer_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(TZ, server_default=text("clock_timestamp()"))
    actor: Mapped[str] = mapped_column(Text, server_default=text("session_user"))
    actor_role: Mapped[str] = mapped_column(Text, server_default=text("current_user"))
    actor_name: Mapped[str] = mapped_column(Text, server_default="")
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    action: Mapped[str] = mapped_column(Text)
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    #: The writing transaction (set by a trigger): lets the database see what is audited.
    txid: Mapped[int] = mapped_column(BigInteger,
                                      server_default=text("(pg_current_xact_id()::text)::bigint"))


class Worker(Base):
    """A running desktop or headless worker, with its heartbeat."""

    __tablename__ = "workers"
    __table_args__ = (
        CheckConstraint(one_of("kind", WORKER_KINDS), name="kind"),
        Index("ix_workers_last_beat", "last_beat_at"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    host: Mapped[str] = mapped_column(Text)
    pid: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text, server_default="")
    started_at: Mapped[datetime] = _now()
    last_beat_at: Mapped[datetime] = _now()
    stopped_at: Mapped[datetime | None] = mapped_column(TZ)
    current_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))


class Alarm(Base):
    """Something staff must look at (drift, stale worker, escrow failure); repeats count up."""

    __tablename__ = "alarms"
    __table_args__ = (
        Index("uq_alarms_open_kind_key", "kind", "key", unique=True,
              postgresql_where=text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(Text, server_default="")
    message: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, server_default="1")
    first_at: Mapped[datetime] = _now()
    last_at: Mapped[datetime] = _now()
    resolved_at: Mapped[datetime | None] = mapped_column(TZ)
    resolved_by: Mapped[str | None] = mapped_column(Text)

from app.db import models_breakers  # noqa: E402,F401  (site breakers, migration 0012)
from app.db import models_mail as _models_mail  # noqa: E402,F401  (mail templates)
from app.db import models_marketplace as models_marketplace  # noqa: E402,F401  (registers tables)
from app.db.models_deadlines import DeadlineSweep, DeadlineWarning  # noqa: E402,F401
