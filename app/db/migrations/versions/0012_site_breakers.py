"""Blocked sites: per-site circuit breakers and per-account automation modes.

``site_breakers`` holds one row per portal site (``portal_accounts.site_url``): the recent
``blocked`` runs, and while the breaker is open, until when automation of that site pauses (the
claim query skips the site's transfers). Desks and workers record blocks and successes; ending a
pause early is a supervisor's action (checked by the service). ``portal_accounts.automation_mode``
is ``automatic`` (default) or ``assisted`` (never automate: the transfer goes to a person).
``lane_claims``: which desk works a transfer of the assisted lane (a lease), so two people never
work the same one.

Revision ID: 0012_site_breakers
Revises: 0011_portal_profiles
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_site_breakers"
down_revision: str | None = "0011_portal_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WRITERS = "transferdesk_staff, transferdesk_bot"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``site_breakers`` and add ``portal_accounts.automation_mode``."""
    op.create_table(
        "site_breakers",
        sa.Column("site_url", sa.Text(), nullable=False),
        sa.Column("recent_blocks", postgresql.ARRAY(TZ), server_default="{}", nullable=False),
        sa.Column("opened_at", TZ, nullable=True),
        sa.Column("open_until", TZ, nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("closed_by", sa.Text(), nullable=True),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("site_url", name=op.f("pk_site_breakers")),
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON site_breakers TO {WRITERS}")
    op.create_table(
        "lane_claims",
        sa.Column("transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("desk", sa.Text(), nullable=False),
        sa.Column("claimed_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("lease_until", TZ, nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"],
                                name=op.f("fk_lane_claims_transfer_id_transfers")),
        sa.PrimaryKeyConstraint("transfer_id", name=op.f("pk_lane_claims")),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON lane_claims TO transferdesk_staff")
    op.add_column("portal_accounts", sa.Column(
        "automation_mode", sa.Text(), server_default="automatic", nullable=False))
    op.create_check_constraint(
        op.f("ck_portal_accounts_automation_mode"), "portal_accounts",
        "automation_mode IN ('automatic', 'assisted')")


def downgrade() -> None:
    """Drop both."""
    op.drop_constraint(op.f("ck_portal_accounts_automation_mode"), "portal_accounts",
                       type_="check")
    op.drop_column("portal_accounts", "automation_mode")
    op.drop_table("lane_claims")
    op.drop_table("site_breakers")
