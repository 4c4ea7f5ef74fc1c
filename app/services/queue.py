"""Reading the queue: keyset pages with counts, one transfer, its detail and timeline."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.queue_counts import COUNT_CAP, QueueCounts
from app.domain.records import (
    PortalAccountInfo,
    QueueFilter,
    QueuePage,
    TransferDetail,
    TransferFull,
    TransferRow,
)
from app.domain.states import Status
from app.repositories import claims as claim_repo
from app.repositories import mapping, records
from app.repositories import queue as queue_repo
from app.repositories import transfers as repo
from app.services.base import Service
from app.timeline_text import timeline_items

SORT_KEYS = queue_repo.SORT_KEYS
row_sort_key = queue_repo.row_sort_key


def _plan_for_each_term(session: Session) -> None:
    """Plan each query for its own search term and statuses: psycopg prepares a statement
    after a few runs, and a generic plan (pattern unknown) can cost 100x for a short term and
    cannot use the partial index of open transfers (the statuses unknown)."""
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


class QueueService(Service):
    """Read-only queries for the queue view and the details pane."""

    def list_page(
        self,
        filter: QueueFilter = QueueFilter(),  # noqa: B008  (frozen, safe as a default)
        sort: str | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = 100,
        with_counts: bool = True,
    ) -> QueuePage:
        """One keyset window of the queue, with counts unless ``with_counts`` is False.

        ``sort`` and ``descending`` override the filter's own ``sort_key`` and ``descending``.

        Raises:
            UnknownValueError: unknown sort; BadCursorError: a bad cursor.
        """
        sort = filter.sort_key if sort is None else sort
        descending = filter.descending if descending is None else descending
        with self.transaction() as session:
            _plan_for_each_term(session)
            rows, next_cursor = queue_repo.fetch_page(session, filter, sort, descending, cursor,
                                                      limit)
            counts: dict[Status, int] = {}
            total = -1
            if with_counts:
                counts = queue_repo.status_counts(session, filter)
                total = sum(n for s, n in counts.items() if filter.includes(s))
            return QueuePage(tuple(rows), next_cursor, total, counts)

    def counts(self, filter: QueueFilter, cap: int = COUNT_CAP) -> QueueCounts:
        """Rows per status matching ``filter`` but its status part (every status present) and
        the filter's total, without a page: exact, or at least so many when a term too short
        for the trigram index matched ``cap`` rows (:func:`~app.repositories.queue.queue_counts`).
        """
        with self.transaction() as session:
            _plan_for_each_term(session)
            return queue_repo.queue_counts(session, filter, cap)

    def get(self, transfer_id: int) -> TransferFull:
        """One transfer, every column.

        Raises:
            NotFoundError: no such transfer.
        """
        with self.transaction() as session:
            return mapping.transfer_full(repo.get(session, transfer_id))

    def rows(self, ids: Sequence[int]) -> list[TransferRow]:
        """Queue rows for these ids (to refresh after change events); missing ids are skipped."""
        with self.transaction() as session:
            return [mapping.transfer_row(t) for t in repo.by_ids(session, ids)]

    def accounts(self) -> list[PortalAccountInfo]:
        """Every portal account."""
        with self.transaction() as session:
            return [mapping.account_info(a) for a in repo.accounts(session)]

    def detail(self, transfer_id: int) -> TransferDetail:
        """A transfer with its runs, emails, evidence, audit trail and merged timeline.

        Raises:
            NotFoundError: no such transfer.
        """
        with self.transaction() as session:
            transfer = mapping.transfer_full(repo.get(session, transfer_id))
            runs = tuple(mapping.run_record(r) for r in claim_repo.runs_for(session, transfer_id))
            emails = tuple(mapping.mail_info(m) for m in records.mail_for(session, transfer_id))
            evidence = tuple(mapping.evidence_info(e)
                             for e in records.evidence_for(session, transfer_id))
            audit = tuple(mapping.audit_entry(a) for a in repo.audit_for(session, transfer_id))
        return TransferDetail(transfer, runs, emails, evidence, audit,
                              timeline_items(transfer, runs, emails, evidence, audit))
