"""An index for the desk's default queue: open transfers in due order.

The desk shows open transfers (awaiting notice, notice received, accepting, needs review) by
due date. Finished transfers (verified, rejected, expired) are due earlier, so ``ix_transfers_due``
starts with every one of them: a page of open transfers, with or without a search term, walked
and discarded them first (27-34k of 100k demo rows, 40-50 ms a page), and the walk grows with
the history, which only ever grows. This partial index holds the open transfers only, in the
queue's due order ``(due_at, id)``. It serves every status filter that is a subset of the open
statuses (the planner proves the partial predicate from the query's ``status IN (...)``), with
any free-text term as a filter on the index's rows; a rare term still goes to the trigram index.
Built ``CONCURRENTLY``, so desks and workers keep working while ``transferdesk db upgrade`` runs.

Revision ID: 0013_queue_search
Revises: 0012_site_breakers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_queue_search"
down_revision: str | None = "0012_site_breakers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: app.domain.states.OPEN_STATUSES, frozen here (migrations never import app code).
OPEN_STATUSES = ("accepting", "awaiting_notice", "needs_review", "notice_received")
INDEX = "ix_transfers_open_due"


def upgrade() -> None:
    """Build the open-transfers due index (outside the migration's transaction)."""
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    with op.get_context().autocommit_block():
        # A build interrupted earlier leaves an INVALID index behind: start afresh.
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        op.execute(f"CREATE INDEX CONCURRENTLY {INDEX} ON transfers (due_at, id)"
                   f" WHERE status IN ({statuses})")


def downgrade() -> None:
    """Drop the index."""
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
