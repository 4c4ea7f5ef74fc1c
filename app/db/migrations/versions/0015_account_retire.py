"""Supervisors may delete a portal account that nothing refers to, with its audit row.

Retiring needs no column: ``portal_accounts.active`` (0001) is the flag, and a retired account
(``active = false``) keeps its row so the transfers, runs and audit rows that name it stay
readable. An account no transfer refers to is deleted instead (``accounts remove``), which
needs ``DELETE`` for ``transferdesk_supervisor``. Two guards keep that narrow: the foreign key
from ``transfers`` refuses deleting an account that has any, and a trigger refuses a deletion
without an ``account_removed`` audit row for that account in the same transaction (so a raw
``DELETE`` is refused; only the table owner in maintenance mode bypasses it). TRUNCATE stays
refused to every app role.

Revision ID: 0015_account_retire
Revises: 0014_claim_fast_path
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_account_retire"
down_revision: str | None = "0014_claim_fast_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPERVISOR = "transferdesk_supervisor"
TXID = "(pg_current_xact_id()::text)::bigint"

GUARD_SQL = f"""
CREATE FUNCTION transferdesk_account_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF transferdesk_maintenance(TG_RELID) THEN
        RETURN OLD;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_log a
                   WHERE a.txid = {TXID} AND a.action = 'account_removed'
                     AND a.detail ->> 'account_id' = OLD.id::text) THEN
        RAISE EXCEPTION 'portal account % is deleted only with its audit row (use '
            '`transferdesk accounts remove`)', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER portal_accounts_delete_guard BEFORE DELETE ON portal_accounts
    FOR EACH ROW EXECUTE FUNCTION transferdesk_account_delete_guard();
"""


def upgrade() -> None:
    """Grant DELETE on ``portal_accounts`` to supervisors, guarded by the audit trigger."""
    op.execute(GUARD_SQL)
    op.execute(f"GRANT DELETE ON portal_accounts TO {SUPERVISOR}")


def downgrade() -> None:
    """Revoke it and drop the guard."""
    op.execute(f"REVOKE DELETE ON portal_accounts FROM {SUPERVISOR}")
    op.execute("DROP TRIGGER portal_accounts_delete_guard ON portal_accounts")
    op.execute("DROP FUNCTION transferdesk_account_delete_guard()")
