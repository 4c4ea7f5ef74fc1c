"""The one domain service every order entrance goes through (inbox, CLI import, desk import).

Each order is checked (:func:`~app.intake.orders.parse_order`), then applied in a savepoint
(:func:`~app.intake.apply.apply_order`): a bad row is answered ``rejected`` with its reason and
the rest of the batch goes on; nothing is ever half-applied. Inbox rows are claimed with
``FOR UPDATE SKIP LOCKED`` in id order (a row waits while an earlier row of the same order is
pending), and each row's answer commits in the same transaction as its effect, so a killed
applier leaves its rows pending for the next one: exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models_marketplace import OrderInbox
from app.intake.apply import REJECTED, RowResult, apply_order
from app.intake.orders import FIELDS, OrderError, OrderRequest, parse_order
from app.services.base import Service

log = logging.getLogger(__name__)

#: Rows per transaction for file imports (each row in its own savepoint).
CHUNK = 500
#: Inbox columns that are order fields (``amount_minor`` is already in minor units).
INBOX_FIELDS = tuple(f for f in FIELDS if f != "amount")


@dataclass(frozen=True)
class ImportRow:
    """One row's answer: its line (or inbox id), order ref, status, transfer and reason."""

    line: int
    order_ref: str
    status: str
    transfer_id: int | None
    reason: str

ANSWER_SQL = text("UPDATE order_inbox SET status = :status, reason = :reason,"
                  " transfer_id = :transfer_id, processed_at = now() WHERE id = :row_id")


class _DryRunRollbackError(Exception):
    """Raised to roll a dry run's transaction back."""


class IntakeService(Service):
    """Apply orders. Acts as a role that may create and reject transfers (staff)."""

    @contextmanager
    def _work(self) -> Iterator[Session]:
        with self.transaction() as session:
            if self.actor_name:
                session.execute(select(func.set_config("transferdesk.actor_name",
                                                       self.actor_name, True)))
            yield session

    # -- files --------------------------------------------------------------------------------

    def import_rows(self, rows: Sequence[tuple[int, dict[str, Any] | str]], *,
                    dry_run: bool = False, source: str = "file",
                    progress: Callable[[int, int], None] | None = None) -> list[ImportRow]:
        """Apply file rows ``(line, fields)``; a ``str`` instead of fields is a parse error.

        With ``dry_run`` every row is applied and answered, then rolled back.
        """
        results: list[ImportRow] = []
        now = datetime.now(UTC)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            answered: list[ImportRow] = []
            try:
                with self._work() as session:
                    for line, fields in chunk:
                        answered.append(self._one(session, line, fields, now,
                                                  {"source": source, "line": line}))
                    if dry_run:
                        raise _DryRunRollbackError
            except _DryRunRollbackError:
                pass
            results.extend(answered)
            if progress is not None:
                progress(min(start + CHUNK, len(rows)), len(rows))
        return results

    def _one(self, session: Session, line: int, fields: dict[str, Any] | str,
             now: datetime, source: dict[str, Any]) -> ImportRow:
        ref = "" if isinstance(fields, str) else str(fields.get("order_ref") or "").strip()
        if isinstance(fields, str):
            return ImportRow(line, ref, REJECTED, None, fields)
        try:
            request = parse_order(fields, now)
        except OrderError as exc:
            return ImportRow(line, ref, REJECTED, None, str(exc))
        result = self._apply(session, request, source)
        return ImportRow(line, ref, result.status, result.transfer_id, result.reason)

    def _apply(self, session: Session, request: OrderRequest,
               source: dict[str, Any]) -> RowResult:
        for attempt in (1, 2):
            try:
                with session.begin_nested():
                    return apply_order(session, request, self.actor_name, source)
            except OrderError as exc:
                return RowResult(REJECTED, None, str(exc))
            except IntegrityError as exc:  # another applier created this order ref meanwhile
                if attempt == 2 or "order_ref" not in str(exc.orig):
                    raise
        raise AssertionError("unreachable")

    # -- the inbox ----------------------------------------------------------------------------

    def apply_inbox(self, limit: int = 50) -> list[ImportRow]:
        """Claim up to ``limit`` pending inbox rows, apply and answer them in one transaction."""
        now = datetime.now(UTC)
        with self._work() as session:
            rows = _claim_pending(session, limit)
            answers: list[ImportRow] = []
            for row in rows:
                fields = {f: getattr(row, f) for f in INBOX_FIELDS if getattr(row, f) is not None}
                answers.append(self._one(session, row.id, fields, now,
                                         {"source": "inbox", "inbox_id": row.id}))
            if answers:  # one statement answers the batch, in the same transaction
                session.execute(ANSWER_SQL, [
                    {"row_id": a.line, "status": a.status, "reason": a.reason or None,
                     "transfer_id": a.transfer_id} for a in answers])
            return answers

    def drain_inbox(self, limit: int = 50) -> int:
        """Apply pending rows until none is claimable; how many were answered."""
        total = 0
        while answers := self.apply_inbox(limit):
            total += len(answers)
        return total

    def pending_count(self) -> int:
        """Inbox rows not yet answered."""
        with self.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(OrderInbox)
                                      .where(OrderInbox.status == "pending")) or 0)


def _claim_pending(session: Session, limit: int) -> list[OrderInbox]:
    """Pending rows in id order, skipping rows other appliers hold and rows whose order has an
    earlier row still pending (so one order's rows apply in the order they were sent)."""
    stmt = text("""
        SELECT i.id FROM order_inbox i
        WHERE i.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM order_inbox p WHERE p.status = 'pending'
                          AND p.order_ref = i.order_ref AND p.id < i.id)
        ORDER BY i.id
        LIMIT :limit
        FOR UPDATE OF i SKIP LOCKED
    """)
    ids = [int(r[0]) for r in session.execute(stmt, {"limit": limit})]
    if not ids:
        return []
    return list(session.scalars(select(OrderInbox).where(OrderInbox.id.in_(ids))
                                .order_by(OrderInbox.id)))
