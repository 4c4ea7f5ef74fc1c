"""Portal profiles per account (reserved).

Revision ID: 0011_portal_profiles
Revises: 0010_mail_templates
"""

from collections.abc import Sequence

revision: str = "0011_portal_profiles"
down_revision: str | None = "0010_mail_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
