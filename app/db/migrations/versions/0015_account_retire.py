"""Supervisors may delete a portal account that nothing refers to.

Retiring needs no column: ``portal_accounts.active`` (0001) is the flag, and a retired account
(``active = false``) keeps its row so the transfers, runs and audit rows that name it stay
readable. An account no transfer refers to is deleted instead (``accounts remove``), which
needs ``DELETE`` for ``transferdesk_supervisor``; the foreign key from ``transfers`` refuses the
deletion of an account that has any.

Revision ID: 0015_account_retire
Revises: 0012_site_breakers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_account_retire"
down_revision: str | None = "0012_site_breakers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPERVISOR = "transferdesk_supervisor"


def upgrade() -> None:
    """Grant DELETE on ``portal_accounts`` to supervisors."""
    op.execute(f"GRANT DELETE ON portal_accounts TO {SUPERVISOR}")


def downgrade() -> None:
    """Revoke it again."""
    op.execute(f"REVOKE DELETE ON portal_accounts FROM {SUPERVISOR}")
