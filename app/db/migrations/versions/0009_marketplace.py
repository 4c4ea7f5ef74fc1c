"""The marketplace boundary: order inbox, outcome events, webhooks (reserved).

Revision ID: 0009_marketplace
Revises: 0008_audit_guarantor
"""

from collections.abc import Sequence

revision: str = "0009_marketplace"
down_revision: str | None = "0008_audit_guarantor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
