"""Portal profiles per account: the selector profile each portal account uses.

NULL means "not chosen yet": the first sign-in (or ``accounts add``) detects which profile's
sign-in markers match the site.

Revision ID: 0011_portal_profiles
Revises: 0010_mail_templates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_portal_profiles"
down_revision: str | None = "0010_mail_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: Desks and workers record the profile a first sign-in detected (that column only).
WRITERS = "transferdesk_staff, transferdesk_bot"


def upgrade() -> None:
    """Add ``portal_accounts.profile``; staff and bot may set that column only."""
    op.add_column("portal_accounts", sa.Column("profile", sa.Text(), nullable=True))
    op.execute(f"GRANT UPDATE (profile) ON portal_accounts TO {WRITERS}")


def downgrade() -> None:
    """Drop ``portal_accounts.profile`` (its column grant goes with it)."""
    op.execute(f"REVOKE UPDATE (profile) ON portal_accounts FROM {WRITERS}")
    op.drop_column("portal_accounts", "profile")
