"""The database guarantees the audit trail: who, when, what changed, and what may never change.

- ``audit_log``: actor (login), actor_role (``current_user``, or the app role a login belongs
  to, the highest of supervisor/staff/bot), time (``clock_timestamp()``) and
  transaction (``txid``) are set by a trigger, whatever the client sent; the display name comes
  from the session GUC ``transferdesk.actor_name`` that ``Service.transaction`` sets.
- ``transfers``: a deferred trigger checks at commit that every insert and every change of
  status, decision (verified_by/method/verified_at), accept link or escrow money (payment intent,
  amount, amount to capture, currency) has an audit row written in
  the same transaction; when none exists (a raw UPDATE/INSERT) it writes one itself
  (``direct_update`` / ``direct_insert``), so the services' own rows are never duplicated. The
  tables' owner (migrations, maintenance) is not audited: it could drop the trigger anyway.
- ``runs``: outcome is write-once (set once from NULL); transfer, worker, attempt, start fixed.
- ``mail_messages``: the parsed accept link and the evidence id are write-once (the evidence may
  only be replaced by a copy with the same sha256, as manual linking attaches one to the transfer).
- ``evidence``: size and sha256 are computed from the content, creator and time come from the
  session; NULL content is refused (rows stay append-only, migration 0002).

Only the table owner, after ``SET LOCAL transferdesk.maintenance = 'on'``, bypasses the guards.

Revision ID: 0008_audit_guarantor
Revises: 0007_run_evidence_once
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_guarantor"
down_revision: str | None = "0007_run_evidence_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF, SUPERVISOR, BOT = "transferdesk_staff", "transferdesk_supervisor", "transferdesk_bot"
TXID = "(pg_current_xact_id()::text)::bigint"

FUNCTIONS_SQL = f"""
CREATE FUNCTION transferdesk_is_owner(rel oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = rel)
$$;

CREATE FUNCTION transferdesk_maintenance(rel oid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('transferdesk.maintenance', true), '') = 'on'
       AND transferdesk_is_owner(rel)
$$;

CREATE FUNCTION transferdesk_actor_name(fallback text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('transferdesk.actor_name', true), ''), fallback, '')
$$;

CREATE FUNCTION transferdesk_acting_role() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_user IN ('{SUPERVISOR}', '{STAFF}', '{BOT}')  -- SET ROLE: fast
                  OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                THEN current_user::text
                ELSE coalesce((SELECT r.name FROM unnest(ARRAY['{SUPERVISOR}', '{STAFF}', '{BOT}'])
                                   WITH ORDINALITY AS r (name, rank)
                               WHERE pg_has_role(current_user, r.name, 'MEMBER')
                               ORDER BY r.rank LIMIT 1), current_user::text) END
$$;

CREATE FUNCTION transferdesk_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.at := clock_timestamp();
    NEW.actor := session_user;
    NEW.actor_role := transferdesk_acting_role();
    NEW.actor_name := transferdesk_actor_name(NEW.actor_name);
    NEW.txid := {TXID};
    RETURN NEW;
END $$;

CREATE FUNCTION transferdesk_audit_transfer_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text[] := ARRAY[]::text[];
    audited boolean;
BEGIN
    IF transferdesk_is_owner(TG_RELID) THEN  -- the owner can drop triggers anyway: not audited
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT EXISTS (SELECT 1 FROM audit_log a WHERE a.transfer_id = NEW.id
                       AND a.txid = {TXID}) INTO audited;
        IF NOT audited THEN
            INSERT INTO audit_log (action, transfer_id, to_status, detail)
            VALUES ('direct_insert', NEW.id, NEW.status,
                    jsonb_build_object('source', 'database', 'order_ref', NEW.order_ref));
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN changed := changed || 'status'::text; END IF;
    IF NEW.verified_by IS DISTINCT FROM OLD.verified_by THEN
        changed := changed || 'verified_by'::text;
    END IF;
    IF NEW.method IS DISTINCT FROM OLD.method THEN changed := changed || 'method'::text; END IF;
    IF NEW.verified_at IS DISTINCT FROM OLD.verified_at THEN
        changed := changed || 'verified_at'::text;
    END IF;
    IF NEW.accept_url IS DISTINCT FROM OLD.accept_url THEN
        changed := changed || 'accept_url'::text;
    END IF;
    IF (NEW.payment_intent_id, NEW.amount, NEW.amount_to_capture, NEW.currency)
       IS DISTINCT FROM (OLD.payment_intent_id, OLD.amount, OLD.amount_to_capture, OLD.currency)
    THEN
        changed := changed || 'escrow money'::text;
    END IF;
    SELECT EXISTS (SELECT 1 FROM audit_log a WHERE a.transfer_id = NEW.id AND a.txid = {TXID}
                   AND (NEW.status = OLD.status OR a.to_status = NEW.status)) INTO audited;
    IF NOT audited THEN
        INSERT INTO audit_log (action, transfer_id, from_status, to_status, detail)
        VALUES ('direct_update', NEW.id, OLD.status, NEW.status,
                jsonb_build_object('source', 'database', 'columns', to_jsonb(changed)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION transferdesk_runs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF transferdesk_maintenance(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF (NEW.transfer_id, NEW.worker, NEW.attempt, NEW.started_at)
       IS DISTINCT FROM (OLD.transfer_id, OLD.worker, OLD.attempt, OLD.started_at) THEN
        RAISE EXCEPTION 'run %: its transfer, worker, attempt and start time cannot change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.outcome IS NOT NULL AND NEW.outcome IS DISTINCT FROM OLD.outcome THEN
        RAISE EXCEPTION 'run % already ended %: a run''s outcome is written once', OLD.id,
            OLD.outcome USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION transferdesk_mail_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF transferdesk_maintenance(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF OLD.parsed ->> 'accept_url' IS NOT NULL
       AND (NEW.parsed ->> 'accept_url') IS DISTINCT FROM (OLD.parsed ->> 'accept_url') THEN
        RAISE EXCEPTION 'mail message %: its parsed accept link is written once', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.evidence_id IS NOT NULL AND NEW.evidence_id IS DISTINCT FROM OLD.evidence_id
       AND NOT EXISTS (SELECT 1 FROM evidence o JOIN evidence n ON n.sha256 = o.sha256
                       WHERE o.id = OLD.evidence_id AND n.id = NEW.evidence_id) THEN
        RAISE EXCEPTION 'mail message %: its evidence is written once (only a copy of the same'
            ' content may replace it)', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION transferdesk_evidence_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.content IS NULL THEN
        RAISE EXCEPTION 'evidence % has no content: nothing was stored', NEW.filename
            USING ERRCODE = 'not_null_violation';
    END IF;
    NEW.size := octet_length(NEW.content);
    NEW.sha256 := encode(sha256(NEW.content), 'hex');
    NEW.created_by := session_user;
    NEW.created_at := now();
    NEW.created_by_name := transferdesk_actor_name(NEW.created_by_name);
    RETURN NEW;
END $$;
"""

WATCHED = ("status", "verified_by", "method", "verified_at", "accept_url",
           "payment_intent_id", "amount", "amount_to_capture", "currency")
CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)

TRIGGERS = [
    ("audit_log", "audit_log_stamp",
     "BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION transferdesk_audit_stamp()"),
    ("transfers", "transfers_audit_insert",
     "AFTER INSERT ON transfers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
     " EXECUTE FUNCTION transferdesk_audit_transfer_change()"),
    ("transfers", "transfers_audit_update",
     "AFTER UPDATE ON transfers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
     f" WHEN ({CHANGED}) EXECUTE FUNCTION transferdesk_audit_transfer_change()"),
    ("runs", "runs_guard",
     "BEFORE UPDATE ON runs FOR EACH ROW EXECUTE FUNCTION transferdesk_runs_guard()"),
    ("mail_messages", "mail_messages_guard",
     "BEFORE UPDATE ON mail_messages FOR EACH ROW EXECUTE FUNCTION transferdesk_mail_guard()"),
    ("evidence", "evidence_stamp",
     "BEFORE INSERT ON evidence FOR EACH ROW EXECUTE FUNCTION transferdesk_evidence_stamp()"),
]
FUNCTIONS = ("maintenance(oid)", "is_owner(oid)", "actor_name(text)", "acting_role()",
             "audit_stamp()", "audit_transfer_change()", "runs_guard()", "mail_guard()",
             "evidence_stamp()")


def upgrade() -> None:
    """Add audit_log.txid and install the guard triggers."""
    op.add_column("audit_log", sa.Column("txid", sa.BigInteger(),
                                         server_default=sa.text(TXID), nullable=False))
    op.execute(FUNCTIONS_SQL)
    for _table, name, body in TRIGGERS:
        constraint = "CONSTRAINT " if "DEFERRABLE" in body else ""
        op.execute(f"CREATE {constraint}TRIGGER {name} {body}")


def downgrade() -> None:
    """Remove the triggers, their functions and audit_log.txid."""
    for table, name, _body in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS transferdesk_{function}")
    op.drop_column("audit_log", "txid")
