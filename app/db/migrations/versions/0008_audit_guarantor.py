"""The database guarantees the audit trail (reserved).

Revision ID: 0008_audit_guarantor
Revises: 0007_run_evidence_once
"""

from collections.abc import Sequence

revision: str = "0008_audit_guarantor"
down_revision: str | None = "0007_run_evidence_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
