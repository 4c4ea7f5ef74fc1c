"""What the desktop asks of the core, as one narrow typed interface, and its saved views.

Owns :class:`DeskBackend` (every core call the desk makes, each returning the core's frozen
dataclasses), :class:`EvidenceFile` (a file staff attach to a decision) and
:data:`SAVED_VIEWS` (the queue's saved views, built from the core's
:class:`~app.domain.records.QueueFilter`). Widgets never touch sessions or ORM objects: they
call these methods through ``ui.db_executor.ServiceExecutor`` (never on the GUI thread).
:class:`app.desk.service_backend.ServiceBackend` implements it over the real app/ services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from app.domain.account_states import AccountStatus
from app.domain.accounts import AccountChanges, AccountEdited, AccountRemoved
from app.domain.desk_metrics import DeskMetrics
from app.domain.queue_counts import QueueCounts
from app.domain.records import (
    AlarmInfo,
    Claim,
    DashboardStats,
    MailMessageInfo,
    PortalAccountInfo,
    QueueFilter,
    QueuePage,
    TransferDetail,
    TransferFull,
    TransferRow,
)
from app.domain.states import OPEN_STATUSES, Status
from app.escrow.repository import EscrowProblem
from app.services.breakers import SiteBreakerInfo

#: Saved views, in menu order (the first is the default).
SAVED_VIEWS: dict[str, QueueFilter] = {
    "All open": QueueFilter(statuses=OPEN_STATUSES),
    "Needs review": QueueFilter(statuses=frozenset({Status.NEEDS_REVIEW})),
    "Due soon": QueueFilter(statuses=OPEN_STATUSES, due_within=timedelta(hours=24)),
}
DEFAULT_VIEW = next(iter(SAVED_VIEWS.values()))


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


@dataclass(frozen=True)
class NewPortalAccount:
    """A portal account typed into the desk, with its password (for the keyring only).

    Attributes:
        platform: a supported portal platform (a bundled profile's ``platform``).
        site_url: the site's base URL (checked by :func:`app.domain.accounts.check_site_url`).
        username: the sign-in email.
        label: a name shown to staff ("" for none).
        password: stored as ``portal:<id>`` in the keyring, never in the database or a log.
    """

    platform: str
    site_url: str
    username: str
    label: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class FirstRunState:
    """What a new desk still lacks: portal accounts, a mailbox, orders (the first-run panel).

    Attributes:
        accounts: portal accounts in the database.
        has_orders: the database holds at least one transfer (any status).
        mailbox: the first configured mailbox whose password is in the keyring (None: none).
    """

    accounts: int
    has_orders: bool
    mailbox: str | None

    @property
    def done(self) -> bool:
        """Every first step is done."""
        return self.accounts > 0 and self.has_orders and self.mailbox is not None


class DeskBackend(Protocol):
    """Every core call the desktop makes. All are blocking: run them in the executor."""

    def actor(self) -> str:
        """Who this desktop acts as (the session's role / display name)."""

    def queue_page(self, query: QueueFilter, cursor: str | None, limit: int) -> QueuePage:
        """One keyset window (``rows``, ``next_cursor``) after ``cursor``, without counts."""

    def queue_counts(self, query: QueueFilter) -> QueueCounts:
        """Rows matching ``query`` per status (the status filter itself ignored) and in all;
        exact, or "at least" for a one- or two-letter term (``QueueCounts.exact``)."""

    def queue_rows(self, ids: Sequence[int]) -> Sequence[TransferRow]:
        """Fresh rows for ``ids`` (live updates; deleted ids are missing)."""

    def accounts(self) -> Sequence[PortalAccountInfo]:
        """Portal accounts for the account filter and column."""

    def detail(self, transfer_id: int) -> TransferDetail:
        """Facts, deadlines and timeline of one transfer."""

    def evidence_content(self, evidence_id: int) -> bytes:
        """The bytes of one evidence item (hash-checked)."""

    def claim(self, transfer_id: int) -> Claim | None:
        """Claim a transfer for this desktop (None when someone else holds it)."""

    def release(self, transfer_id: int) -> TransferFull:
        """Release this desktop's claim."""

    def decide(
        self, transfer_id: int, expected_version: int, verified: bool, note: str,
        files: Sequence[EvidenceFile],
    ) -> TransferFull:
        """Manual verify/reject with a note and at least one evidence file."""

    def validate_evidence(self, item: EvidenceFile) -> str | None:
        """Why ``item`` would be refused (type, size, empty), or ``None`` if fine."""

    def reopen(self, transfer_id: int, expected_version: int, note: str) -> TransferFull:
        """Supervisor: reopen a decided transfer."""

    def unmatched_notices(self) -> Sequence[MailMessageInfo]:
        """Transfer-notice emails no transfer was matched to."""

    def link_notice(self, notice_id: int, transfer_id: int) -> TransferFull:
        """Link a notice to a transfer by hand."""

    def search_transfers(self, text: str, limit: int) -> Sequence[TransferRow]:
        """Open transfers matching ``text`` (notice linking)."""

    def alarms(self) -> Sequence[AlarmInfo]:
        """Current alarms (drift, stale workers, keyring)."""

    def resume_site(self, site_url: str) -> SiteBreakerInfo:
        """Supervisor: end a blocked site's automation pause."""

    def lane_queue(self, desk: str) -> Sequence[TransferFull]:
        """The assisted lane as this desk sees it, by deadline."""

    def lane_take_next(self, desk: str) -> TransferFull | None:
        """Claim the lane's next transfer for this desk (or None)."""

    def lane_verify(
        self, transfer_id: int, desk: str, version: int, screenshot: bytes
    ) -> TransferFull:
        """Record a lane transfer verified with the pasted screenshot."""

    def add_account(self, account: NewPortalAccount) -> PortalAccountInfo:
        """Supervisor: add a portal account and its password, both or neither.

        Raises:
            KnownError: a bad site URL or username, a duplicate, not allowed, or a keyring that
                is locked or refuses the password (then no account row is left either).
        """

    def edit_account(self, account_id: int, changes: AccountChanges) -> AccountEdited:
        """Change a portal account's name, username, password, mode or site URL (supervisors;
        a password alone: staff too), the row and the keyring together or not at all.

        Raises:
            KnownError: bad input, nothing to change, retired, a duplicate, not allowed, or a
                keyring that is locked or refuses the password (then nothing changed).
        """

    def remove_account(self, account_id: int) -> AccountRemoved:
        """Supervisor: retire (history refers to it) or delete a portal account, with its
        keyring password and saved browser session.

        Raises:
            KnownError: open transfers or an active run (how many, which statuses), already
                retired, not allowed, or a locked keyring (then nothing changed).
        """

    def automation_mode(self, account_id: int) -> str:
        """A portal account's automation mode (automatic or assisted)."""

    def set_automation_mode(self, account_id: int, mode: str) -> str:
        """Supervisor: set a portal account's automation mode; returns the old one."""

    def dashboard(self, days: int) -> DashboardStats:
        """Verified per day, median notice-to-verified, outcomes by kind."""

    def account_statuses(self, include_retired: bool = False) -> Sequence[AccountStatus]:
        """Every portal account at a glance (session state, last success/failure, pace);
        retired accounts only with ``include_retired``."""

    def metrics(self, start: datetime, end: datetime) -> DeskMetrics:
        """The dashboard's figures over [start, end) (timezone-aware)."""

    def first_run(self, mailboxes: Sequence[str]) -> FirstRunState:
        """Accounts, whether any order exists, which of ``mailboxes`` has its keyring slot."""

    def escrow_problems(self) -> Sequence[EscrowProblem]:
        """Holds whose money did not move as decided (failed, lapsed, retrying, lapsing)."""

    def escrow_retry(self, transfer_ids: list[int]) -> list[int]:
        """Queue failed captures/cancels again; the escrow processor picks them up."""


def now_utc() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
