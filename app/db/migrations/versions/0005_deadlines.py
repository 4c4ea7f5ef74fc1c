"""Deadline sweeper and escalation warnings (reserved).

Revision ID: 0005_deadlines
Revises: 0004_queue_sort_indexes
"""

from collections.abc import Sequence

revision: str = "0005_deadlines"
down_revision: str | None = "0004_queue_sort_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
