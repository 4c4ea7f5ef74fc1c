"""Indexes for every sort key of the queue.

Each queue sort orders by ``(key, id)``; nullable keys order by ``(key IS NULL, coalesce(key,
stand-in), id)`` so keyset cursors stay exact across NULLs. Without an index whose columns are
exactly those terms, every sorted page is a top-N sort over the whole table. The indexes are
built ``CONCURRENTLY`` (outside the migration's transaction), so desks and workers on a shared
database keep reading and writing transfers while ``transferdesk db upgrade`` runs.

The free-text search (``search_text LIKE '%term%'``, served by the trigram index of 0001) gets a
finer statistics target: with the default, a rare term such as a section number was estimated
common, and the planner walked the due-date index filtering a fifth of the table instead of
asking the trigram index for the few matches.

Revision ID: 0004_queue_sort_indexes
Revises: 0003_schema_version_readable
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_queue_sort_indexes"
down_revision: str | None = "0003_schema_version_readable"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The NULL stand-ins of app/repositories/queue.py, frozen here (migrations never import app code).
EPOCH = "'1970-01-01 00:00:00+00'::timestamp with time zone"

#: index name -> its terms, exactly as the queue query orders by them. ``order_ref`` needs none:
#: its unique index plus an incremental sort on id already serves that order.
INDEXES: dict[str, str] = {
    "ix_transfers_sort_status": "status, id",
    "ix_transfers_sort_event": "event_name, id",
    "ix_transfers_sort_event_date":
        f"(event_starts_at IS NULL), COALESCE(event_starts_at, {EPOCH}), id",
    "ix_transfers_sort_seller": "seller_name, id",
    "ix_transfers_sort_account": "(account_id IS NULL), COALESCE(account_id, 0), id",
    "ix_transfers_sort_attempts": "attempts, id",
    "ix_transfers_sort_section": "section, id",
    "ix_transfers_sort_notice":
        f"(notice_received_at IS NULL), COALESCE(notice_received_at, {EPOCH}), id",
    "ix_transfers_sort_holder": "(claimed_by IS NULL), COALESCE(claimed_by, ''::text), id",
}


SEARCH_STATISTICS = 1000


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for name, terms in INDEXES.items():
            # A build interrupted earlier leaves an INVALID index behind: start that one afresh.
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE INDEX CONCURRENTLY {name} ON transfers ({terms})")
    op.execute(
        f"ALTER TABLE transfers ALTER COLUMN search_text SET STATISTICS {SEARCH_STATISTICS}"
    )
    op.execute("ANALYZE transfers")


def downgrade() -> None:
    op.execute("ALTER TABLE transfers ALTER COLUMN search_text SET STATISTICS -1")
    with op.get_context().autocommit_block():
        for name in INDEXES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
