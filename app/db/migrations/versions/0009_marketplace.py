"""The marketplace boundary: order inbox, outcome events, webhook deliveries.

- ``order_inbox``: the marketplace INSERTs orders (role ``transferdesk_intake``, column grants,
  row-level security so it sees only its own rows); TransferDesk answers each row with a status.
  NOTIFY ``order_inbox`` per inserting statement wakes the appliers.
- ``outcome_events``: append-only; ``transferdesk_outcome_event`` (a deferred constraint
  trigger AFTER UPDATE OF status, escrow_status ON transfers) writes one row per decision and
  escrow result at commit of the transaction that made the change; a transaction-level
  advisory lock taken there (after all other work, so it cannot deadlock) makes ids follow
  commit order, so a reader's cursor ``id > last_seen`` never steps over a later commit.
  Each row carries the acting role (``current_user``) and the display name (GUC
  ``transferdesk.actor_name``); NOTIFY ``outcome_events`` sends the new id.
- ``webhook_cursors`` / ``webhook_deliveries``: the deliverer's at-least-once queue.

Revision ID: 0009_marketplace
Revises: 0008_audit_guarantor
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_marketplace"
down_revision: str | None = "0008_audit_guarantor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF, BOT, INTAKE = "transferdesk_staff", "transferdesk_bot", "transferdesk_intake"
TZ = sa.DateTime(timezone=True)
# Frozen copies of the value sets at this revision (migrations never import app code).
INBOX_KINDS = ("order", "cancel")
INBOX_STATUSES = ("pending", "applied", "duplicate", "updated", "rejected")
OUTCOME_TYPES = ("verified", "rejected", "expired", "needs_review", "captured", "cancelled",
                 "lapsed")
DELIVERY_STATUSES = ("pending", "delivered", "dead")
#: Columns the marketplace may write; everything else is TransferDesk's answer.
INTAKE_COLUMNS = ("kind", "payload_version", "order_ref", "platform", "account_id", "site_url",
                  "event_name", "venue", "event_starts_at", "section", "row", "seats",
                  "quantity", "seller_name", "seller_email", "amount_minor", "currency",
                  "payment_intent_id", "accept_by", "hold_expires_at", "cancel_reason")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ROLE_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{INTAKE}') THEN
        CREATE ROLE {INTAKE} NOLOGIN;
    END IF;
END $$;
"""

FUNCTIONS_SQL = """
CREATE FUNCTION transferdesk_notify_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('order_inbox', '');
    RETURN NULL;
END $$;

CREATE FUNCTION transferdesk_outcome_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kinds text[] := ARRAY[]::text[];
    k text;
    new_id bigint;
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND NEW.status IN ('verified', 'rejected', 'expired', 'needs_review') THEN
        kinds := kinds || NEW.status;
    END IF;
    IF NEW.escrow_status IS DISTINCT FROM OLD.escrow_status
       AND NEW.escrow_status IN ('captured', 'cancelled', 'lapsed') THEN
        kinds := kinds || NEW.escrow_status;
    END IF;
    IF cardinality(kinds) > 0 THEN  -- ids in commit order: a cursor never skips a late commit
        PERFORM pg_advisory_xact_lock(hashtext('transferdesk.outcome_events'));
    END IF;
    FOREACH k IN ARRAY kinds LOOP
        INSERT INTO outcome_events (type, order_ref, transfer_id, actor_name, method,
                                    evidence_ids, status, escrow_status, detail)
        VALUES (k, NEW.order_ref, NEW.id,
                COALESCE(NULLIF(current_setting('transferdesk.actor_name', true), ''),
                         CASE WHEN k = 'verified' THEN NEW.verified_by END, ''),
                CASE WHEN k IN ('verified', 'captured') THEN NEW.method END,
                ARRAY(SELECT e.id FROM evidence e WHERE e.transfer_id = NEW.id ORDER BY e.id),
                NEW.status, NEW.escrow_status,
                jsonb_strip_nulls(jsonb_build_object(
                    'reason', NEW.decision_note, 'last_outcome', NEW.last_outcome,
                    'escrow_error', NEW.escrow_error, 'amount_to_capture', NEW.amount_to_capture,
                    'currency', NEW.currency)))
        RETURNING id INTO new_id;
        PERFORM pg_notify('outcome_events', new_id::text);
    END LOOP;
    RETURN NULL;
END $$;
"""


def _tables() -> None:
    op.create_table(
        "order_inbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("kind", sa.Text(), server_default="order", nullable=False),
        sa.Column("payload_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("order_ref", sa.Text(), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=True)
          for name in ("platform",)),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        *(sa.Column(name, sa.Text(), nullable=True)
          for name in ("site_url", "event_name", "venue")),
        sa.Column("event_starts_at", TZ, nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("row", sa.Text(), nullable=True),
        sa.Column("seats", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("seller_name", sa.Text(), nullable=True),
        sa.Column("seller_email", sa.Text(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("payment_intent_id", sa.Text(), nullable=True),
        sa.Column("accept_by", TZ, nullable=True),
        sa.Column("hold_expires_at", TZ, nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.Text(), server_default=sa.text("current_user"),
                  nullable=False),
        sa.Column("submitted_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("processed_at", TZ, nullable=True),
        sa.CheckConstraint(_in("kind", INBOX_KINDS), name=op.f("ck_order_inbox_kind")),
        sa.CheckConstraint(_in("status", INBOX_STATUSES), name=op.f("ck_order_inbox_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_inbox")),
    )
    op.create_index("ix_order_inbox_pending", "order_inbox", ["id"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_order_inbox_order_ref", "order_inbox", ["order_ref", "id"])
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("order_ref", sa.Text(), nullable=False),
        sa.Column("transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("at", TZ, server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.Column("actor", sa.Text(), server_default=sa.text("current_user"), nullable=False),
        sa.Column("actor_name", sa.Text(), server_default="", nullable=False),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("evidence_ids", postgresql.ARRAY(sa.BigInteger()), server_default="{}",
                  nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("escrow_status", sa.Text(), nullable=False),
        sa.Column("detail", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"),
                  nullable=False),
        sa.CheckConstraint(_in("type", OUTCOME_TYPES), name=op.f("ck_outcome_events_type")),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"],
                                name=op.f("fk_outcome_events_transfer_id_transfers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_events")),
    )
    op.create_index("ix_outcome_events_transfer", "outcome_events", ["transfer_id", "id"])
    op.create_table(
        "webhook_cursors",
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_alarm_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("endpoint", name=op.f("pk_webhook_cursors")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("alarm_id", sa.BigInteger(), nullable=True),
        sa.Column("transfer_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("next_attempt_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.CheckConstraint(_in("status", DELIVERY_STATUSES),
                           name=op.f("ck_webhook_deliveries_status")),
        sa.CheckConstraint("(event_id IS NULL) <> (alarm_id IS NULL)",
                           name=op.f("ck_webhook_deliveries_one_source")),
        sa.ForeignKeyConstraint(["event_id"], ["outcome_events.id"],
                                name=op.f("fk_webhook_deliveries_event_id_outcome_events")),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"],
                                name=op.f("fk_webhook_deliveries_alarm_id_alarms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("endpoint", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        sa.UniqueConstraint("endpoint", "alarm_id", name="uq_webhook_deliveries_endpoint_alarm"),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries",
                    ["next_attempt_at", "id"], postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_deliveries_order", "webhook_deliveries",
                    ["endpoint", "transfer_id", "id"],
                    postgresql_where=sa.text("status = 'pending'"))


GRANTS = [
    f"GRANT USAGE ON SCHEMA public TO {INTAKE}",
    f"GRANT INSERT ({', '.join(INTAKE_COLUMNS)}) ON order_inbox TO {INTAKE}",
    f"GRANT SELECT ON order_inbox, outcome_events TO {INTAKE}",
    f"GRANT SELECT, INSERT ON order_inbox, outcome_events TO {STAFF}, {BOT}",
    f"GRANT UPDATE (status, reason, transfer_id, processed_at) ON order_inbox TO {STAFF}, {BOT}",
    f"GRANT SELECT, INSERT, UPDATE ON webhook_cursors, webhook_deliveries TO {STAFF}, {BOT}",
    "ALTER TABLE order_inbox ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY order_inbox_own ON order_inbox TO {INTAKE}"
    " USING (submitted_by = current_user) WITH CHECK (submitted_by = current_user)",
    f"CREATE POLICY order_inbox_desk ON order_inbox TO {STAFF}, {BOT} USING (true)"
    " WITH CHECK (true)",
]

TRIGGERS = [
    "CREATE TRIGGER order_inbox_notify AFTER INSERT ON order_inbox"
    " FOR EACH STATEMENT EXECUTE FUNCTION transferdesk_notify_inbox()",
    "CREATE CONSTRAINT TRIGGER transfers_outcome_event"
    " AFTER UPDATE OF status, escrow_status ON transfers DEFERRABLE INITIALLY DEFERRED"
    " FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.escrow_status IS DISTINCT FROM NEW.escrow_status)"
    " EXECUTE FUNCTION transferdesk_outcome_event()",
    "CREATE TRIGGER outcome_events_append_only BEFORE UPDATE OR DELETE ON outcome_events"
    " FOR EACH ROW EXECUTE FUNCTION transferdesk_append_only()",
    "CREATE TRIGGER outcome_events_no_truncate BEFORE TRUNCATE ON outcome_events"
    " FOR EACH STATEMENT EXECUTE FUNCTION transferdesk_append_only()",
]


def upgrade() -> None:
    """Create the intake role (if missing), the tables, grants, policies and triggers."""
    op.execute(ROLE_SQL)
    _tables()
    for statement in GRANTS:
        op.execute(statement)
    op.execute(FUNCTIONS_SQL)
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Drop triggers, functions and tables (the intake role stays: roles are cluster-wide)."""
    op.execute("DROP TRIGGER transfers_outcome_event ON transfers")
    for table in ("webhook_deliveries", "webhook_cursors", "outcome_events", "order_inbox"):
        op.drop_table(table)
    op.execute("DROP FUNCTION transferdesk_outcome_event()")
    op.execute("DROP FUNCTION transferdesk_notify_inbox()")
