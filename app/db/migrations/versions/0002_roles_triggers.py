"""Roles, least-privilege grants and triggers (version bump, guards, NOTIFY, append-only audit).

Roles are cluster-wide, so they are created only when missing (many databases share a cluster);
grants are per database. The trigger functions enforce what grants cannot express:

- ``transferdesk_transfers_guard``: bumps ``version``/``updated_at`` on every update (optimistic
  concurrency) and refuses manual decisions to non-staff and reopen/reassign to non-supervisors.
- ``transferdesk_notify_transfers``: NOTIFY ``transfer_changes`` with ``{id, status, version}``
  per changed row, or one ``{"resync": true}`` for a statement touching many rows.
- ``transferdesk_append_only``: UPDATE/DELETE/TRUNCATE on audit_log and evidence fail for every
  role; only the table owner may bypass it, and only after
  ``SET LOCAL transferdesk.maintenance = 'on'``.

Revision ID: 0002_roles_triggers
Revises: 0001_schema
Create Date: 2026-11-23 09:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_roles_triggers"
down_revision: str | None = "0001_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF, SUPERVISOR, BOT = "transferdesk_staff", "transferdesk_supervisor", "transferdesk_bot"
#: Above this many rows in one statement the change feed gets one resync instead of each row.
NOTIFY_ROW_LIMIT = 100

ROLES_SQL = f"""
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['{STAFF}', '{SUPERVISOR}', '{BOT}'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    IF NOT pg_has_role('{SUPERVISOR}', '{STAFF}', 'MEMBER') THEN
        GRANT {STAFF} TO {SUPERVISOR};
    END IF;
END $$;
"""

GRANTS = [
    f"GRANT USAGE ON SCHEMA public TO {STAFF}, {BOT}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {STAFF}, {BOT}",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {STAFF}, {BOT}",
    # Both desktops (staff) and workers (bot) run acceptances, read mail and move escrow.
    f"GRANT UPDATE ON transfers TO {STAFF}, {BOT}",
    f"GRANT INSERT ON audit_log, evidence, runs, mail_messages, mail_sync_state, alarms, workers"
    f" TO {STAFF}, {BOT}",
    f"GRANT UPDATE ON runs, mail_messages, mail_sync_state, alarms, workers TO {STAFF}, {BOT}",
    # Only people create expected transfers; supervisors manage portal accounts.
    f"GRANT INSERT ON transfers TO {STAFF}",
    f"GRANT INSERT, UPDATE ON portal_accounts TO {SUPERVISOR}",
]

FUNCTIONS_SQL = f"""
CREATE FUNCTION transferdesk_transfers_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    IF ((NEW.status = 'rejected' AND OLD.status <> 'rejected')
        OR (NEW.method = 'manual' AND NEW.method IS DISTINCT FROM OLD.method))
       AND NOT pg_has_role(current_user, '{STAFF}', 'MEMBER') THEN
        RAISE EXCEPTION 'role % may not make manual decisions (staff only)', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status IN ('verified', 'rejected', 'expired') AND NEW.status <> OLD.status
       AND NOT pg_has_role(current_user, '{SUPERVISOR}', 'MEMBER') THEN
        RAISE EXCEPTION 'role % may not reopen a closed transfer (supervisor only)', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.account_id IS DISTINCT FROM OLD.account_id
       AND NOT pg_has_role(current_user, '{SUPERVISOR}', 'MEMBER') THEN
        RAISE EXCEPTION 'role % may not reassign a transfer (supervisor only)', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION transferdesk_notify_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    SELECT count(*) INTO n FROM changed;
    IF n > {NOTIFY_ROW_LIMIT} THEN
        PERFORM pg_notify('transfer_changes', json_build_object('resync', true, 'count', n)::text);
    ELSE
        PERFORM pg_notify('transfer_changes',
                          json_build_object('id', id, 'status', status, 'version', version)::text)
        FROM changed;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION transferdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transferdesk.maintenance', true) = 'on'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
    THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

TRIGGERS = [
    "CREATE TRIGGER transfers_guard BEFORE UPDATE ON transfers"
    " FOR EACH ROW EXECUTE FUNCTION transferdesk_transfers_guard()",
    "CREATE TRIGGER transfers_notify_insert AFTER INSERT ON transfers"
    " REFERENCING NEW TABLE AS changed"
    " FOR EACH STATEMENT EXECUTE FUNCTION transferdesk_notify_transfers()",
    "CREATE TRIGGER transfers_notify_update AFTER UPDATE ON transfers"
    " REFERENCING NEW TABLE AS changed"
    " FOR EACH STATEMENT EXECUTE FUNCTION transferdesk_notify_transfers()",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION transferdesk_append_only()"
        for table in ("audit_log", "evidence")
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION transferdesk_append_only()"
        for table in ("audit_log", "evidence")
    ),
]


def upgrade() -> None:
    """Create roles (if missing), grant, and install the triggers."""
    op.execute(ROLES_SQL)
    for statement in GRANTS:
        op.execute(statement)
    op.execute(FUNCTIONS_SQL)
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Remove triggers, functions and this database's grants (roles stay: they are shared)."""
    for table, trigger in (
        ("transfers", "transfers_guard"),
        ("transfers", "transfers_notify_insert"),
        ("transfers", "transfers_notify_update"),
        ("audit_log", "audit_log_append_only"),
        ("audit_log", "audit_log_no_truncate"),
        ("evidence", "evidence_append_only"),
        ("evidence", "evidence_no_truncate"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in ("transfers_guard", "notify_transfers", "append_only"):
        op.execute(f"DROP FUNCTION IF EXISTS transferdesk_{function}()")
    for role in (STAFF, SUPERVISOR, BOT):
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
