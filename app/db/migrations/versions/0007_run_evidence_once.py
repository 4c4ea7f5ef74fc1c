"""Run evidence stored once: a unique key per run's evidence item (journal replays).

Revision ID: 0007_run_evidence_once
Revises: 0006_deadlines
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_run_evidence_once"
down_revision: str | None = "0006_deadlines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """``evidence.evidence_key``: NULL for uploads and emails, ``<run key>/<kind>/<file>`` for
    a run's screenshot or trace, unique, so a replayed run record inserts nothing twice."""
    op.add_column("evidence", sa.Column("evidence_key", sa.Text(), nullable=True))
    op.create_unique_constraint("uq_evidence_evidence_key", "evidence", ["evidence_key"])


def downgrade() -> None:
    """Drop the key."""
    op.drop_constraint("uq_evidence_evidence_key", "evidence", type_="unique")
    op.drop_column("evidence", "evidence_key")
