"""Deadline sweeper and escalation warnings.

``deadline_warnings`` holds one row per transfer, deadline kind and lead time (a unique key, so
``INSERT ... ON CONFLICT DO NOTHING`` raises each warning once however many processes sweep);
``deadline_sweep`` is a single row with the last completed sweep, which tells a desk whether a
server process is sweeping. Staff and bot may write both (every process type sweeps); a
warning row only ever changes its ``alarm_id`` (set in the transaction that inserts it).

Revision ID: 0006_deadlines
Revises: 0005_more_outcomes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_deadlines"
down_revision: str | None = "0005_more_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "transferdesk_staff, transferdesk_bot"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create both tables, the sweep row and the grants."""
    op.create_table(
        "deadline_warnings",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("deadline_kind", sa.Text(), nullable=False),
        sa.Column("lead_seconds", sa.Integer(), nullable=False),
        sa.Column("deadline_at", TZ, nullable=False),
        sa.Column("raised_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("raised_by", sa.Text(), server_default="", nullable=False),
        sa.Column("alarm_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("deadline_kind IN ('accept_by', 'event_start', 'hold_expiry')",
                           name=op.f("ck_deadline_warnings_deadline_kind")),
        sa.CheckConstraint("lead_seconds > 0", name=op.f("ck_deadline_warnings_lead_seconds")),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"],
                                name=op.f("fk_deadline_warnings_alarm_id_alarms")),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"],
                                name=op.f("fk_deadline_warnings_transfer_id_transfers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_warnings")),
        sa.UniqueConstraint("transfer_id", "deadline_kind", "lead_seconds",
                            name="uq_deadline_warnings_once"),
    )
    op.create_table(
        "deadline_sweep",
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("swept_at", TZ, nullable=True),
        sa.Column("swept_by", sa.Text(), server_default="", nullable=False),
        sa.Column("expired", sa.Integer(), server_default="0", nullable=False),
        sa.Column("warned", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_deadline_sweep_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_sweep")),
    )
    op.execute("INSERT INTO deadline_sweep (id) VALUES (1)")
    op.execute(f"GRANT SELECT, INSERT, UPDATE (alarm_id) ON deadline_warnings TO {ROLES}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE deadline_warnings_id_seq TO {ROLES}")
    op.execute(f"GRANT SELECT, UPDATE ON deadline_sweep TO {ROLES}")


def downgrade() -> None:
    """Drop both tables (their grants go with them)."""
    op.drop_table("deadline_sweep")
    op.drop_table("deadline_warnings")
