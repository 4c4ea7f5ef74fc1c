"""Mail templates taught from the desk (reserved).

Revision ID: 0010_mail_templates
Revises: 0009_marketplace
"""

from collections.abc import Sequence

revision: str = "0010_mail_templates"
down_revision: str | None = "0009_marketplace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
