"""Mail templates taught from the desk: table ``mail_templates`` and its grants.

Staff insert new versions and may switch ``enabled`` (disable); nobody rewrites a version's
rules (UPDATE is granted on ``enabled`` only). Bots (the worker's mail sync) read them.

Revision ID: 0010_mail_templates
Revises: 0009_marketplace
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_mail_templates"
down_revision: str | None = "0009_marketplace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF, BOT = "transferdesk_staff", "transferdesk_bot"


def upgrade() -> None:
    """Create ``mail_templates`` with least-privilege grants."""
    op.create_table(
        "mail_templates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("platform", sa.Text(), server_default="paciolan", nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()),
                  server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_by", sa.Text(), server_default=sa.text("current_user"),
                  nullable=False),
        sa.Column("created_by_name", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_templates")),
        sa.UniqueConstraint("domain", "version", name="uq_mail_templates_domain_version"),
    )
    op.execute(f"GRANT SELECT ON mail_templates TO {STAFF}, {BOT}")
    op.execute(f"GRANT INSERT ON mail_templates TO {STAFF}")
    op.execute(f"GRANT UPDATE (enabled) ON mail_templates TO {STAFF}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE mail_templates_id_seq TO {STAFF}")


def downgrade() -> None:
    """Drop ``mail_templates``."""
    op.drop_table("mail_templates")
