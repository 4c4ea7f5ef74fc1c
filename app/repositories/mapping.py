"""ORM rows -> frozen domain records (the only place that knows both shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.db.models import (
    Alarm,
    AuditLog,
    Evidence,
    MailMessage,
    PortalAccount,
    Run,
    Transfer,
    Worker,
)
from app.domain.records import (
    AlarmInfo,
    AuditEntry,
    EvidenceInfo,
    MailMessageInfo,
    PortalAccountInfo,
    RunRecord,
    TransferFull,
    TransferRow,
    WorkerInfo,
)
from app.domain.states import EscrowStatus, Outcome, Status

_INFINITY_YEAR = 9999


def _finite(value: datetime | None) -> datetime | None:
    """``'infinity'`` comes back from psycopg as datetime.max; show it as unknown."""
    if value is None or value.year >= _INFINITY_YEAR:
        return None
    return value


class RowColumns(Protocol):
    """What :func:`transfer_row` reads: an ORM ``Transfer``, a ``transfers.*`` result row (the
    claim's, without an ORM instance) or a row of :data:`TRANSFER_ROW_COLUMNS` (queue pages)."""

    @property
    def id(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def order_ref(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def seller_name(self) -> str: ...
    @property
    def seller_email(self) -> str: ...
    @property
    def event_name(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def event_starts_at(self) -> datetime | None: ...
    @property
    def section(self) -> str: ...
    @property
    def row(self) -> str: ...
    @property
    def seats(self) -> list[str] | None: ...
    @property
    def quantity(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def accept_by(self) -> datetime | None: ...
    @property
    def hold_expires_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def claimed_by(self) -> str | None: ...
    @property
    def lease_until(self) -> datetime | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def next_attempt_at(self) -> datetime | None: ...
    @property
    def last_outcome(self) -> str | None: ...
    @property
    def escrow_status(self) -> str: ...
    @property
    def amount(self) -> int | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def notice_received_at(self) -> datetime | None: ...


class TransferColumns(RowColumns, Protocol):
    """What :func:`transfer_full` reads: every column of ``transfers``."""

    @property
    def accept_url(self) -> str | None: ...
    @property
    def transfer_ref(self) -> str | None: ...
    @property
    def claimed_at(self) -> datetime | None: ...
    @property
    def verified_at(self) -> datetime | None: ...
    @property
    def verified_by(self) -> str | None: ...
    @property
    def method(self) -> str | None: ...
    @property
    def decision_note(self) -> str | None: ...
    @property
    def payment_intent_id(self) -> str | None: ...
    @property
    def amount_to_capture(self) -> int | None: ...
    @property
    def escrow_error(self) -> str | None: ...
    @property
    def escrow_attempts(self) -> int: ...
    @property
    def escrow_next_attempt_at(self) -> datetime | None: ...
    @property
    def escrow_updated_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


def transfer_row(t: RowColumns) -> TransferRow:
    """The queue's view of a transfer."""
    return TransferRow(
        id=t.id,
        version=t.version,
        order_ref=t.order_ref,
        platform=t.platform,
        account_id=t.account_id,
        seller_name=t.seller_name,
        seller_email=t.seller_email,
        event_name=t.event_name,
        venue=t.venue,
        event_starts_at=t.event_starts_at,
        section=t.section,
        row=t.row,
        seats=tuple(t.seats or ()),
        quantity=t.quantity,
        status=Status(t.status),
        accept_by=t.accept_by,
        hold_expires_at=t.hold_expires_at,
        due_at=_finite(t.due_at),
        claimed_by=t.claimed_by,
        lease_until=t.lease_until,
        attempts=t.attempts,
        next_attempt_at=t.next_attempt_at,
        last_outcome=Outcome(t.last_outcome) if t.last_outcome is not None else None,
        escrow_status=EscrowStatus(t.escrow_status),
        amount=t.amount,
        currency=t.currency,
        updated_at=t.updated_at,
        notice_received_at=t.notice_received_at,
    )


#: The columns :func:`transfer_row` reads, named as the row's fields.
TRANSFER_ROW_COLUMNS = (
    Transfer.id, Transfer.version, Transfer.order_ref, Transfer.platform, Transfer.account_id,
    Transfer.seller_name, Transfer.seller_email, Transfer.event_name, Transfer.venue,
    Transfer.event_starts_at, Transfer.section, Transfer.row, Transfer.seats, Transfer.quantity,
    Transfer.status, Transfer.accept_by, Transfer.hold_expires_at, Transfer.due_at,
    Transfer.claimed_by, Transfer.lease_until, Transfer.attempts, Transfer.next_attempt_at,
    Transfer.last_outcome, Transfer.escrow_status, Transfer.amount, Transfer.currency,
    Transfer.updated_at, Transfer.notice_received_at,
)


def transfer_full(t: TransferColumns) -> TransferFull:
    """Every column of a transfer."""
    return TransferFull(
        row=transfer_row(t),
        accept_url=t.accept_url,
        transfer_ref=t.transfer_ref,
        notice_received_at=t.notice_received_at,
        claimed_at=t.claimed_at,
        verified_at=t.verified_at,
        verified_by=t.verified_by,
        method=t.method,
        decision_note=t.decision_note,
        payment_intent_id=t.payment_intent_id,
        amount_to_capture=t.amount_to_capture,
        escrow_error=t.escrow_error,
        escrow_attempts=t.escrow_attempts,
        escrow_next_attempt_at=t.escrow_next_attempt_at,
        escrow_updated_at=t.escrow_updated_at,
        created_at=t.created_at,
    )


def run_record(r: Run) -> RunRecord:
    """One acceptance attempt."""
    return RunRecord(
        id=r.id,
        transfer_id=r.transfer_id,
        worker=r.worker,
        attempt=r.attempt,
        started_at=r.started_at,
        finished_at=r.finished_at,
        outcome=Outcome(r.outcome) if r.outcome is not None else None,
        detail=r.detail,
        trace_evidence_id=r.trace_evidence_id,
    )


def evidence_info(e: Evidence) -> EvidenceInfo:
    """Evidence metadata (never touches the deferred content column)."""
    return EvidenceInfo(
        id=e.id,
        kind=e.kind,
        filename=e.filename,
        content_type=e.content_type,
        size=e.size,
        sha256=e.sha256,
        transfer_id=e.transfer_id,
        run_id=e.run_id,
        created_by=e.created_by,
        created_by_name=e.created_by_name,
        created_at=e.created_at,
    )


def audit_entry(a: AuditLog) -> AuditEntry:
    """One audit row."""
    return AuditEntry(
        id=a.id,
        at=a.at,
        actor=a.actor,
        actor_role=a.actor_role,
        actor_name=a.actor_name,
        transfer_id=a.transfer_id,
        action=a.action,
        from_status=a.from_status,
        to_status=a.to_status,
        detail=dict(a.detail or {}),
    )


def mail_info(m: MailMessage) -> MailMessageInfo:
    """One email row."""
    return MailMessageInfo(
        id=m.id,
        message_key=m.message_key,
        mailbox=m.mailbox,
        folder=m.folder,
        uid=m.uid,
        from_addr=m.from_addr,
        subject=m.subject,
        received_at=m.received_at,
        kind=m.kind,
        match_status=m.match_status,
        match_score=m.match_score,
        transfer_id=m.transfer_id,
        evidence_id=m.evidence_id,
        parse_error=m.parse_error,
    )


def worker_info(w: Worker) -> WorkerInfo:
    """One worker row."""
    return WorkerInfo(
        id=w.id,
        host=w.host,
        pid=w.pid,
        kind=w.kind,
        label=w.label,
        started_at=w.started_at,
        last_beat_at=w.last_beat_at,
        stopped_at=w.stopped_at,
        current_transfer_id=w.current_transfer_id,
    )


def alarm_info(a: Alarm) -> AlarmInfo:
    """One alarm row."""
    return AlarmInfo(
        id=a.id,
        kind=a.kind,
        key=a.key,
        message=a.message,
        count=a.count,
        first_at=a.first_at,
        last_at=a.last_at,
        resolved_at=a.resolved_at,
        resolved_by=a.resolved_by,
    )


def account_info(a: PortalAccount) -> PortalAccountInfo:
    """One portal account."""
    return PortalAccountInfo(
        id=a.id,
        platform=a.platform,
        site_url=a.site_url,
        username=a.username,
        label=a.label,
        active=a.active,
        profile=a.profile,
    )
