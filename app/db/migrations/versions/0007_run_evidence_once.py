"""Run evidence stored once per run and kind; manual links (reserved).

Revision ID: 0007_run_evidence_once
Revises: 0006_deadlines
"""

from collections.abc import Sequence

revision: str = "0007_run_evidence_once"
down_revision: str | None = "0006_deadlines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
