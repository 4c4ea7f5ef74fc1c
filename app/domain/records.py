"""Frozen dataclasses the services return (never ORM objects: no lazy load can run in the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.states import EscrowStatus, Outcome, Status


@dataclass(frozen=True)
class TransferRow:
    """One transfer as the queue shows it.

    ``due_at`` is the earliest of accept_by, event_starts_at and hold_expires_at (None when
    none is known). ``claimed_by`` set means "in progress by X".
    """

    id: int
    version: int
    order_ref: str
    platform: str
    account_id: int | None
    seller_name: str
    seller_email: str
    event_name: str
    venue: str
    event_starts_at: datetime | None
    section: str
    row: str
    seats: tuple[str, ...]
    quantity: int
    status: Status
    accept_by: datetime | None
    hold_expires_at: datetime | None
    due_at: datetime | None
    claimed_by: str | None
    lease_until: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_outcome: Outcome | None
    escrow_status: EscrowStatus
    amount: int | None
    currency: str
    updated_at: datetime
    notice_received_at: datetime | None = None

    @property
    def in_progress_by(self) -> str | None:
        """Who is accepting it right now, if anyone."""
        return self.claimed_by if self.status is Status.ACCEPTING else None


@dataclass(frozen=True)
class TransferFull:
    """Every column of one transfer (details pane, escrow and automation need them all)."""

    row: TransferRow
    accept_url: str | None
    transfer_ref: str | None
    notice_received_at: datetime | None
    claimed_at: datetime | None
    verified_at: datetime | None
    verified_by: str | None
    method: str | None
    decision_note: str | None
    payment_intent_id: str | None
    amount_to_capture: int | None
    escrow_error: str | None
    escrow_attempts: int
    escrow_next_attempt_at: datetime | None
    escrow_updated_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """One acceptance attempt."""

    id: int
    transfer_id: int
    worker: str
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome | None
    detail: str
    trace_evidence_id: int | None


@dataclass(frozen=True)
class EvidenceInfo:
    """Evidence metadata (the content is fetched separately, hash-checked)."""

    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    transfer_id: int | None
    run_id: int | None
    created_by: str
    created_by_name: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One audit row: who (Postgres login, role, display name) did what, when."""

    id: int
    at: datetime
    actor: str
    actor_role: str
    actor_name: str
    transfer_id: int | None
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class MailMessageInfo:
    """One email seen in a watched mailbox and what it matched."""

    id: int
    message_key: str
    mailbox: str
    folder: str
    uid: int | None
    from_addr: str
    subject: str
    received_at: datetime | None
    kind: str
    match_status: str
    match_score: float | None
    transfer_id: int | None
    evidence_id: int | None
    parse_error: str | None


@dataclass(frozen=True)
class TimelineItem:
    """One line of a transfer's timeline, merged from audit, runs, emails and evidence."""

    at: datetime
    kind: str  # "audit" | "run" | "email" | "evidence"
    summary: str
    ref_id: int


@dataclass(frozen=True)
class TransferDetail:
    """A transfer with everything recorded about it."""

    transfer: TransferFull
    runs: tuple[RunRecord, ...]
    emails: tuple[MailMessageInfo, ...]
    evidence: tuple[EvidenceInfo, ...]
    audit: tuple[AuditEntry, ...]
    timeline: tuple[TimelineItem, ...]


@dataclass(frozen=True)
class WorkerInfo:
    """A registered desktop or worker process and its heartbeat."""

    id: str
    host: str
    pid: int
    kind: str
    label: str
    started_at: datetime
    last_beat_at: datetime
    stopped_at: datetime | None
    current_transfer_id: int | None


@dataclass(frozen=True)
class AlarmInfo:
    """An alarm; repeats of the same (kind, key) count up while it is open."""

    id: int
    kind: str
    key: str
    message: str
    count: int
    first_at: datetime
    last_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


@dataclass(frozen=True)
class PortalAccountInfo:
    """A portal account (its password lives in the keyring)."""

    id: int
    platform: str
    site_url: str
    username: str
    label: str
    active: bool
    profile: str | None = None  # the selector profile; None: detected on first sign-in


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows, and in which order: the one filter of the core and the desk.

    Empty fields do not filter.

    Attributes:
        statuses: any of these statuses (empty: every status).
        due_within: due_at strictly before now + this (resolved by :meth:`due_before`).
        text: free text, case-insensitive substring over order ref, seller, event, venue,
            section, portal transfer ref and payment intent.
        sort_key: one of :data:`app.repositories.queue.SORT_KEYS`; ``descending`` its direction.
    """

    statuses: frozenset[Status] = frozenset()
    platform: str | None = None
    account_id: int | None = None
    event_name: str | None = None
    seller: str | None = None
    due_within: timedelta | None = None
    text: str = ""
    sort_key: str = "due"
    descending: bool = False

    def due_before(self, now: datetime) -> datetime | None:
        """The due cut-off at ``now`` (None: no due filter); the only place it is resolved."""
        return None if self.due_within is None else now + self.due_within

    def includes(self, status: Status) -> bool:
        """Whether ``status`` passes the status filter."""
        return not self.statuses or status in self.statuses

    def matches(self, row: TransferRow, now: datetime) -> bool:
        """Whether a fresh row still belongs in the view (live updates).

        Free text and the other text fields are left to the database: a row already shown stays
        unless status, account or due rule it out.
        """
        if not self.includes(row.status):
            return False
        if self.account_id is not None and row.account_id != self.account_id:
            return False
        cut_off = self.due_before(now)
        return cut_off is None or (row.due_at is not None and row.due_at < cut_off)


@dataclass(frozen=True)
class QueuePage:
    """One keyset window of the queue.

    ``next_cursor`` is an opaque string to pass back for the following window (None at the
    end). ``total`` counts every row matching the filter; ``status_counts`` the same per status
    (ignoring the status filter itself, for the status chips).
    """

    rows: tuple[TransferRow, ...]
    next_cursor: str | None
    total: int
    status_counts: dict[Status, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """A transfer claimed by one worker, with its lease and the run that was opened for it."""

    transfer: TransferFull
    run_id: int
    attempt: int
    worker: str
    lease_until: datetime


@dataclass(frozen=True)
class NewTransfer:
    """Input for creating an expected transfer (also one parsed CSV row)."""

    order_ref: str
    event_name: str
    platform: str = "paciolan"
    account_id: int | None = None
    seller_name: str = ""
    seller_email: str = ""
    venue: str = ""
    event_starts_at: datetime | None = None
    section: str = ""
    row: str = ""
    seats: tuple[str, ...] = ()
    quantity: int | None = None
    accept_by: datetime | None = None
    hold_expires_at: datetime | None = None
    payment_intent_id: str | None = None
    amount: int | None = None
    currency: str = "usd"
    escrow_status: str = "none"


@dataclass(frozen=True)
class ImportReport:
    """Result of a CSV import that succeeded (a failing one raises ImportFailedError)."""

    created: int
    transfer_ids: tuple[int, ...]


@dataclass(frozen=True)
class RunResult:
    """What recording a run outcome did to the transfer."""

    transfer: TransferFull
    run: RunRecord
    action: str


@dataclass(frozen=True)
class DashboardStats:
    """The desk's dashboard figures over the last ``days`` days (UTC days, oldest first).

    ``median_minutes_to_verified`` is None when nothing with a notice was verified in the window.
    """

    days: int
    verified_per_day: tuple[tuple[date, int], ...]
    median_minutes_to_verified: float | None
    outcomes_by_kind: dict[Outcome, int]
    status_counts: dict[Status, int]
