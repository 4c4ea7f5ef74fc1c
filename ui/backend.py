"""What the desktop asks of the core, as one narrow interface.

Widgets never touch sessions or ORM objects: they call these methods (through
:class:`ui.db_executor.ServiceExecutor`, never on the GUI thread) and render the frozen
dataclasses that come back. :mod:`ui.services` implements it over the real app/ services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

OPEN_STATUSES: frozenset[str] = frozenset(
    {"awaiting_notice", "notice_received", "accepting", "needs_review"}
)
ALL_STATUSES: tuple[str, ...] = (
    "awaiting_notice", "notice_received", "accepting", "needs_review",
    "verified", "rejected", "expired",
)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: filters, free-text search and the sort."""

    statuses: frozenset[str] = OPEN_STATUSES
    account_id: int | None = None
    due_within: timedelta | None = None
    search: str = ""
    sort_key: str = "due"
    descending: bool = False

    def due_before(self, now: datetime) -> datetime | None:
        """The due cut-off at ``now`` (None: no due filter)."""
        return None if self.due_within is None else now + self.due_within

    def matches(self, row: Any, now: datetime) -> bool:
        """Whether a fresh row still belongs in the view (live updates).

        Free text is left to the database: a row already shown stays unless status, account or
        due rule it out.
        """
        if str(row.status) not in self.statuses:
            return False
        if self.account_id is not None and row.account_id != self.account_id:
            return False
        cut_off = self.due_before(now)
        return cut_off is None or (row.due_at is not None and row.due_at < cut_off)


#: Saved views, in menu order (the first is the default).
SAVED_VIEWS: dict[str, QueueFilter] = {
    "All open": QueueFilter(),
    "Needs review": QueueFilter(statuses=frozenset({"needs_review"})),
    "Due soon": QueueFilter(due_within=timedelta(hours=24)),
}


@dataclass(frozen=True)
class EvidenceFile:
    """One file staff attached to a manual decision."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)

    @classmethod
    def from_path(cls, path: Path, content_type: str) -> EvidenceFile:
        """Read a file from disk."""
        return cls(path.name, content_type, path.read_bytes())


class DeskBackend(Protocol):
    """Every core call the desktop makes. All are blocking: run them in the executor."""

    def actor(self) -> str:
        """Who this desktop acts as (the session's role / display name)."""

    def queue_page(self, query: QueueFilter, cursor: str | None, limit: int) -> Any:
        """One keyset window (``rows``, ``next_cursor``) after ``cursor``, without counts."""

    def queue_counts(self, query: QueueFilter) -> dict[str, int]:
        """Rows matching ``query`` per status (the status filter itself ignored)."""

    def queue_rows(self, ids: Sequence[int]) -> Sequence[Any]:
        """Fresh rows for ``ids`` (live updates; deleted ids are missing)."""

    def accounts(self) -> Sequence[Any]:
        """Portal accounts (``id``, ``label``, ``username``) for the account filter."""

    def detail(self, transfer_id: int) -> Any:
        """Facts, deadlines and timeline of one transfer."""

    def evidence_content(self, evidence_id: int) -> bytes:
        """The bytes of one evidence item (hash-checked)."""

    def claim(self, transfer_id: int) -> Any:
        """Claim a transfer for this desktop (None when someone else holds it)."""

    def release(self, transfer_id: int) -> Any:
        """Release this desktop's claim."""

    def decide(
        self, transfer_id: int, expected_version: int, verified: bool, note: str,
        files: Sequence[EvidenceFile],
    ) -> Any:
        """Manual verify/reject with a note and at least one evidence file."""

    def validate_evidence(self, item: EvidenceFile) -> str | None:
        """Why ``item`` would be refused (type, size, empty), or ``None`` if fine."""

    def reopen(self, transfer_id: int, expected_version: int, note: str) -> Any:
        """Supervisor: reopen a decided transfer."""

    def unmatched_notices(self) -> Sequence[Any]:
        """Transfer-notice emails no transfer was matched to."""

    def link_notice(self, notice_id: int, transfer_id: int) -> Any:
        """Link a notice to a transfer by hand."""

    def search_transfers(self, text: str, limit: int) -> Sequence[Any]:
        """Open transfers matching ``text`` (notice linking)."""

    def alarms(self) -> Sequence[Any]:
        """Current alarms (drift, stale workers, keyring)."""

    def resume_site(self, site_url: str) -> Any:
        """Supervisor: end a blocked site's automation pause."""

    def lane_queue(self, desk: str) -> Sequence[Any]:
        """The assisted lane as this desk sees it, by deadline."""

    def lane_take_next(self, desk: str) -> Any:
        """Claim the lane's next transfer for this desk (or None)."""

    def lane_verify(self, transfer_id: int, desk: str, version: int, screenshot: bytes) -> Any:
        """Record a lane transfer verified with the pasted screenshot."""

    def automation_mode(self, account_id: int) -> str:
        """A portal account's automation mode (automatic or assisted)."""

    def set_automation_mode(self, account_id: int, mode: str) -> str:
        """Supervisor: set a portal account's automation mode; returns the old one."""

    def dashboard(self, days: int) -> Any:
        """Verified per day, median notice-to-verified, outcomes by kind."""

    def escrow_problems(self) -> Sequence[Any]:
        """Holds whose money did not move as decided (failed, lapsed, retrying, lapsing)."""

    def escrow_retry(self, transfer_ids: list[int]) -> list[int]:
        """Queue failed captures/cancels again; the escrow processor picks them up."""


def now_utc() -> datetime:
    """The current time, timezone-aware."""
    from datetime import UTC

    return datetime.now(UTC)
