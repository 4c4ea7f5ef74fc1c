"""The claim as one server-side call, notified after its commit; audit helpers planned once.

``transferdesk_claim`` does the whole claim in one statement on an autocommit connection: act as
the caller's role and display name (``set_config(..., true)``, as ``Service.transaction`` does),
pick the most urgent due transfer (or exactly one) with ``FOR UPDATE SKIP LOCKED``, skipping
assisted and retired accounts and paused sites, mark it accepting with a lease, count the
attempt, open its run and write the ``claim`` audit row. It returns the claimed transfer and the
run id, or no row. Being PL/pgSQL, its statements are planned once per connection; the client
sends one Bind/Execute instead of BEGIN, SET LOCAL ROLE, the claim and COMMIT.

The claim's ``transfer_changes`` notification is sent by the client right after the claim
commits, in a transaction of its own with ``synchronous_commit`` off
(:func:`app.repositories.claims.notify_claimed`), with the payload the trigger would send: a
NOTIFY takes a cluster-wide lock at commit that is held until the commit is flushed, so in the
claim's own transaction every claimer queued behind every other's WAL flush (group commit never
happened). ``transferdesk_notify_transfers`` (migration 0002) therefore skips a statement whose
transaction set ``transferdesk.notify_after_commit``; only ``transferdesk_claim`` sets it. A
notification is a wake-up, never durable (the queue is lost on restart anyway), and listeners
resync periodically (app/changefeed.py).

``transferdesk_acting_role`` and ``transferdesk_is_owner`` (migration 0008), called by the audit
triggers on every audited write, become PL/pgSQL with the same logic: as SQL functions that
cannot be inlined (they hold sub-selects) they were parsed and planned again on every call,
about a fifth of the server's time per claim.

Revision ID: 0014_claim_fast_path
Revises: 0013_queue_search
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_claim_fast_path"
down_revision: str | None = "0013_queue_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF, SUPERVISOR, BOT = "transferdesk_staff", "transferdesk_supervisor", "transferdesk_bot"
NOTIFY_ROW_LIMIT = 100  # as migration 0002

# Not an assisted or retired account, not a site whose breaker is open (docs/portals.md).
AUTOMATABLE = """NOT EXISTS (
            SELECT 1 FROM portal_accounts a LEFT JOIN site_breakers b ON b.site_url = a.site_url
            WHERE a.id = transfers.account_id
              AND (a.automation_mode = 'assisted' OR NOT a.active OR b.open_until > now()))"""

CLAIM_SQL = f"""
CREATE FUNCTION transferdesk_claim(p_worker text, p_lease interval, p_actor_name text,
                                   p_audit_actor text, p_role text, p_transfer_id bigint,
                                   p_account_id bigint)
RETURNS TABLE (claimed transfers, run_id bigint) LANGUAGE plpgsql AS $$
DECLARE
    picked bigint;
BEGIN
    IF p_role IS NOT NULL THEN
        PERFORM set_config('role', p_role, true);
    END IF;
    PERFORM set_config('transferdesk.actor_name', coalesce(p_actor_name, ''), true),
            set_config('transferdesk.notify_after_commit', 'on', true);
    IF p_transfer_id IS NOT NULL THEN  -- exactly this one, due or not
        SELECT id INTO picked FROM transfers
        WHERE id = p_transfer_id AND status = 'notice_received' AND claimed_by IS NULL
          AND (p_account_id IS NULL OR account_id = p_account_id) AND {AUTOMATABLE}
        FOR UPDATE SKIP LOCKED;
    ELSIF p_account_id IS NOT NULL THEN
        SELECT id INTO picked FROM transfers
        WHERE status = 'notice_received' AND claimed_by IS NULL AND account_id = p_account_id
          AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AND {AUTOMATABLE}
        ORDER BY due_at, id LIMIT 1
        FOR UPDATE SKIP LOCKED;
    ELSE
        SELECT id INTO picked FROM transfers
        WHERE status = 'notice_received' AND claimed_by IS NULL
          AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AND {AUTOMATABLE}
        ORDER BY due_at, id LIMIT 1
        FOR UPDATE SKIP LOCKED;
    END IF;
    IF picked IS NULL THEN
        RETURN;
    END IF;
    UPDATE transfers t
    SET status = 'accepting', claimed_by = p_worker, claimed_at = now(),
        lease_until = now() + p_lease, attempts = t.attempts + 1
    WHERE t.id = picked
    RETURNING t.* INTO claimed;
    INSERT INTO runs (transfer_id, worker, attempt)
    VALUES (picked, p_worker, claimed.attempts)
    RETURNING id INTO run_id;
    INSERT INTO audit_log (action, actor_name, transfer_id, from_status, to_status, detail)
    VALUES ('claim', p_audit_actor, picked, 'notice_received', 'accepting',
            jsonb_build_object('worker', p_worker, 'run_id', run_id,
                               'attempt', claimed.attempts));
    RETURN NEXT;
END $$;
"""

CLAIM_SIGNATURE = "transferdesk_claim(text, interval, text, text, text, bigint, bigint)"

PLPGSQL_HELPERS = f"""
CREATE OR REPLACE FUNCTION transferdesk_is_owner(rel oid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = rel);
END $$;

CREATE OR REPLACE FUNCTION transferdesk_acting_role() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF current_user IN ('{SUPERVISOR}', '{STAFF}', '{BOT}')  -- SET ROLE: fast
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN current_user::text;
    END IF;
    RETURN coalesce((SELECT r.name FROM unnest(ARRAY['{SUPERVISOR}', '{STAFF}', '{BOT}'])
                         WITH ORDINALITY AS r (name, rank)
                     WHERE pg_has_role(current_user, r.name, 'MEMBER')
                     ORDER BY r.rank LIMIT 1), current_user::text);
END $$;
"""

NOTIFY_BODY = f"""
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
"""
NOTIFY_AFTER_COMMIT = """
CREATE OR REPLACE FUNCTION transferdesk_notify_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    IF current_setting('transferdesk.notify_after_commit', true) = 'on' THEN
        RETURN NULL;  -- transferdesk_claim: its caller notifies once the claim is committed
    END IF;""" + NOTIFY_BODY
NOTIFY_IN_TRANSACTION = """
CREATE OR REPLACE FUNCTION transferdesk_notify_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN""" + NOTIFY_BODY

# Migration 0008's definitions, restored by the downgrade.
SQL_HELPERS = f"""
CREATE OR REPLACE FUNCTION transferdesk_is_owner(rel oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = rel)
$$;

CREATE OR REPLACE FUNCTION transferdesk_acting_role() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_user IN ('{SUPERVISOR}', '{STAFF}', '{BOT}')  -- SET ROLE: fast
                  OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                THEN current_user::text
                ELSE coalesce((SELECT r.name FROM unnest(ARRAY['{SUPERVISOR}', '{STAFF}', '{BOT}'])
                                   WITH ORDINALITY AS r (name, rank)
                               WHERE pg_has_role(current_user, r.name, 'MEMBER')
                               ORDER BY r.rank LIMIT 1), current_user::text) END
$$;
"""


def upgrade() -> None:
    """Create ``transferdesk_claim``; the audit helpers become PL/pgSQL."""
    op.execute(CLAIM_SQL)
    op.execute(NOTIFY_AFTER_COMMIT)
    op.execute(PLPGSQL_HELPERS)


def downgrade() -> None:
    """Drop ``transferdesk_claim``; restore the notify trigger of 0002 and the helpers of 0008."""
    op.execute(f"DROP FUNCTION IF EXISTS {CLAIM_SIGNATURE}")
    op.execute(NOTIFY_IN_TRANSACTION)
    op.execute(SQL_HELPERS)
