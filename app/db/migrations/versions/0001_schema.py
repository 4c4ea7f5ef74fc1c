"""Schema: the domain tables, their constraints and the queue's indexes.

Revision ID: 0001_schema
Revises:
Create Date: 2026-11-23 09:29:56
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the value sets at this revision (migrations never import app code).
STATUSES = (
    "awaiting_notice",
    "notice_received",
    "accepting",
    "needs_review",
    "verified",
    "rejected",
    "expired",
)
OUTCOMES = (
    "accepted",
    "already_accepted",
    "not_found",
    "expired_on_portal",
    "cancelled_by_sender",
    "wrong_tickets",
    "login_failed",
    "mfa_timeout",
    "bot_challenge",
    "portal_error",
    "timeout",
    "selector_drift",
    "aborted",
)
ESCROW_STATUSES = (
    "none",
    "held",
    "capture_pending",
    "captured",
    "cancel_pending",
    "cancelled",
    "lapsed",
    "failed",
)
MATCH_STATUSES = (
    "pending",
    "matched",
    "unmatched",
    "ambiguous",
    "ignored",
    "oversized",
    "malformed",
)
DUE_AT = "COALESCE(LEAST(accept_by, event_starts_at, hold_expires_at), '9999-12-31 00:00:00+00')"
SEARCH_TEXT = (
    "lower(order_ref || ' ' || seller_name || ' ' || seller_email || ' ' || event_name"
    " || ' ' || venue || ' ' || section || ' ' || coalesce(transfer_ref, '')"
    " || ' ' || coalesce(payment_intent_id, ''))"
)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for ``column IN (...)``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Create every table (pg_trgm powers the queue's free-text search)."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "alarms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), server_default="", nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "first_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "last_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    op.create_index(
        "uq_alarms_open_kind_key",
        "alarms",
        ["kind", "key"],
        unique=True,
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_table(
        "mail_sync_state",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("mailbox", "folder", name=op.f("pk_mail_sync_state")),
    )
    op.create_table(
        "portal_accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("platform", sa.Text(), server_default="paciolan", nullable=False),
        sa.Column("site_url", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_accounts")),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_ref", sa.Text(), nullable=False),
        sa.Column("platform", sa.Text(), server_default="paciolan", nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("seller_name", sa.Text(), server_default="", nullable=False),
        sa.Column("seller_email", sa.Text(), server_default="", nullable=False),
        sa.Column("event_name", sa.Text(), nullable=False),
        sa.Column("venue", sa.Text(), server_default="", nullable=False),
        sa.Column("event_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("section", sa.Text(), server_default="", nullable=False),
        sa.Column("row", sa.Text(), server_default="", nullable=False),
        sa.Column("seats", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("quantity", sa.Integer(), server_default="1", nullable=False),
        sa.Column("status", sa.Text(), server_default="awaiting_notice", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accept_url", sa.Text(), nullable=True),
        sa.Column("transfer_ref", sa.Text(), nullable=True),
        sa.Column("notice_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("payment_intent_id", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.Text(), server_default="usd", nullable=False),
        sa.Column("amount_to_capture", sa.BigInteger(), nullable=True),
        sa.Column("escrow_status", sa.Text(), server_default="none", nullable=False),
        sa.Column("escrow_error", sa.Text(), nullable=True),
        sa.Column("escrow_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("escrow_next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escrow_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "due_at",
            sa.DateTime(timezone=True),
            sa.Computed(
                DUE_AT,
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "search_text",
            sa.Text(),
            sa.Computed(
                SEARCH_TEXT,
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            one_of("escrow_status", ESCROW_STATUSES),
            name=op.f("ck_transfers_escrow_status"),
        ),
        sa.CheckConstraint(
            "last_outcome IS NULL OR " + one_of("last_outcome", OUTCOMES),
            name=op.f("ck_transfers_last_outcome"),
        ),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('auto', 'manual')", name=op.f("ck_transfers_method")
        ),
        sa.CheckConstraint(
            one_of("status", STATUSES),
            name=op.f("ck_transfers_status"),
        ),
        sa.CheckConstraint(
            "amount IS NULL OR amount >= 0", name=op.f("ck_transfers_amount_non_negative")
        ),
        sa.CheckConstraint(
            "amount_to_capture IS NULL OR amount_to_capture >= 0",
            name=op.f("ck_transfers_capture_non_negative"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_transfers_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_transfers_account_id_portal_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("order_ref", name=op.f("uq_transfers_order_ref")),
    )
    op.create_index(
        "ix_transfers_account", "transfers", ["account_id", "due_at", "id"], unique=False
    )
    op.create_index(
        "ix_transfers_claimable",
        "transfers",
        ["due_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'notice_received' AND claimed_by IS NULL"),
    )
    op.create_index("ix_transfers_created", "transfers", ["created_at", "id"], unique=False)
    op.create_index("ix_transfers_due", "transfers", ["due_at", "id"], unique=False)
    op.create_index(
        "ix_transfers_escrow",
        "transfers",
        ["escrow_status", "escrow_next_attempt_at"],
        unique=False,
    )
    op.create_index("ix_transfers_event", "transfers", ["event_name", "due_at", "id"], unique=False)
    op.create_index(
        "ix_transfers_leased",
        "transfers",
        ["lease_until"],
        unique=False,
        postgresql_where=sa.text("claimed_by IS NOT NULL"),
    )
    op.create_index("ix_transfers_payment_intent", "transfers", ["payment_intent_id"], unique=False)
    op.create_index(
        "ix_transfers_platform", "transfers", ["platform", "due_at", "id"], unique=False
    )
    op.create_index(
        "ix_transfers_search_trgm",
        "transfers",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_transfers_seller_email",
        "transfers",
        [sa.literal_column("lower(seller_email)")],
        unique=False,
    )
    op.create_index(
        "ix_transfers_seller_name",
        "transfers",
        [sa.literal_column("lower(seller_name)")],
        unique=False,
    )
    op.create_index(
        "ix_transfers_status_due", "transfers", ["status", "due_at", "id"], unique=False
    )
    op.create_index("ix_transfers_transfer_ref", "transfers", ["transfer_ref"], unique=False)
    op.create_index("ix_transfers_updated", "transfers", ["updated_at", "id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), server_default=sa.text("session_user"), nullable=False),
        sa.Column("actor_role", sa.Text(), server_default=sa.text("current_user"), nullable=False),
        sa.Column("actor_name", sa.Text(), server_default="", nullable=False),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_audit_log_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_transfer", "audit_log", ["transfer_id", "id"], unique=False)
    op.create_table(
        "runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("worker", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("trace_evidence_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR " + one_of("outcome", OUTCOMES),
            name=op.f("ck_runs_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_runs_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_transfer_id"), "runs", ["transfer_id"], unique=False)
    op.create_table(
        "workers",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_beat_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_transfer_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("kind IN ('desktop', 'worker')", name=op.f("ck_workers_kind")),
        sa.ForeignKeyConstraint(
            ["current_transfer_id"],
            ["transfers.id"],
            name=op.f("fk_workers_current_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_index("ix_workers_last_beat", "workers", ["last_beat_at"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Text(), server_default=sa.text("session_user"), nullable=False),
        sa.Column("created_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('screenshot', 'trace', 'email', 'upload')", name=op.f("ck_evidence_kind")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_evidence_size_positive")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_evidence_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_evidence_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_run_id"), "evidence", ["run_id"], unique=False)
    op.create_index(op.f("ix_evidence_transfer_id"), "evidence", ["transfer_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_runs_trace_evidence_id_evidence"),
        "runs",
        "evidence",
        ["trace_evidence_id"],
        ["id"],
    )
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("message_key", sa.Text(), nullable=False),
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), server_default="INBOX", nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("from_addr", sa.Text(), server_default="", nullable=False),
        sa.Column("subject", sa.Text(), server_default="", nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("kind", sa.Text(), server_default="unknown", nullable=False),
        sa.Column(
            "parsed",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("match_status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("match_score", sa.Double(), nullable=True),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("evidence_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            one_of("match_status", MATCH_STATUSES),
            name=op.f("ck_mail_messages_match_status"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_mail_messages_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_mail_messages_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("message_key", name=op.f("uq_mail_messages_message_key")),
    )
    op.create_index(
        "ix_mail_messages_match_status",
        "mail_messages",
        ["match_status", "received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mail_messages_transfer_id"), "mail_messages", ["transfer_id"], unique=False
    )
    op.create_index(
        "ix_mail_messages_uid",
        "mail_messages",
        ["mailbox", "folder", "uidvalidity", "uid"],
        unique=False,
    )


def downgrade() -> None:
    """Drop every table (the extension stays: other schemas may use it)."""
    op.drop_constraint(op.f("fk_runs_trace_evidence_id_evidence"), "runs", type_="foreignkey")
    op.drop_index("ix_mail_messages_uid", table_name="mail_messages")
    op.drop_index(op.f("ix_mail_messages_transfer_id"), table_name="mail_messages")
    op.drop_index("ix_mail_messages_match_status", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_index(op.f("ix_evidence_transfer_id"), table_name="evidence")
    op.drop_index(op.f("ix_evidence_run_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_workers_last_beat", table_name="workers")
    op.drop_table("workers")
    op.drop_index(op.f("ix_runs_transfer_id"), table_name="runs")
    op.drop_table("runs")
    op.drop_index("ix_audit_log_transfer", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_transfers_updated", table_name="transfers")
    op.drop_index("ix_transfers_transfer_ref", table_name="transfers")
    op.drop_index("ix_transfers_status_due", table_name="transfers")
    op.drop_index("ix_transfers_seller_name", table_name="transfers")
    op.drop_index("ix_transfers_seller_email", table_name="transfers")
    op.drop_index(
        "ix_transfers_search_trgm",
        table_name="transfers",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index("ix_transfers_platform", table_name="transfers")
    op.drop_index("ix_transfers_payment_intent", table_name="transfers")
    op.drop_index(
        "ix_transfers_leased",
        table_name="transfers",
        postgresql_where=sa.text("claimed_by IS NOT NULL"),
    )
    op.drop_index("ix_transfers_event", table_name="transfers")
    op.drop_index("ix_transfers_escrow", table_name="transfers")
    op.drop_index("ix_transfers_due", table_name="transfers")
    op.drop_index("ix_transfers_created", table_name="transfers")
    op.drop_index(
        "ix_transfers_claimable",
        table_name="transfers",
        postgresql_where=sa.text("status = 'notice_received' AND claimed_by IS NULL"),
    )
    op.drop_index("ix_transfers_account", table_name="transfers")
    op.drop_table("transfers")
    op.drop_table("portal_accounts")
    op.drop_table("mail_sync_state")
    op.drop_index(
        "uq_alarms_open_kind_key",
        table_name="alarms",
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.drop_table("alarms")
