"""Let the app's roles read the schema revision.

Desktops and workers log in as staff / supervisor / bot roles, which may not run DDL; they
check that the database is at the revision they expect instead of migrating it, which needs
read access to ``alembic_version``.

Revision ID: 0003_schema_version_readable
Revises: 0002_roles_triggers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_schema_version_readable"
down_revision: str | None = "0002_roles_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "transferdesk_staff, transferdesk_supervisor, transferdesk_bot"


def upgrade() -> None:
    op.execute(f"GRANT SELECT ON alembic_version TO {ROLES}")


def downgrade() -> None:
    op.execute(f"REVOKE SELECT ON alembic_version FROM {ROLES}")
