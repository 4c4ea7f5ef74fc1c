"""Deadline sweeper and escalation warnings (reserved).

Revision ID: 0006_deadlines
Revises: 0005_more_outcomes
"""

from collections.abc import Sequence

revision: str = "0006_deadlines"
down_revision: str | None = "0005_more_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
