"""The desk's :class:`app.desk.api.DeskBackend` over the real app/ services.

Owns :class:`ServiceBackend` (one instance per window, built from an engine), the desk's worker
identity and when a desk sweeps deadlines itself. Every method blocks (a transaction, a keyring
call): the widgets only call them through ``ui.db_executor.ServiceExecutor``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from app.browser_sessions import SESSIONS_FOLDER
from app.config import Settings
from app.desk.api import EvidenceFile, FirstRunState, NewPortalAccount
from app.domain.account_states import DEFAULT_SESSION_LIFETIME, AccountStatus
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
from app.domain.states import OPEN_STATUSES
from app.escrow.repository import EscrowProblem
from app.services.account_edit import AccountEditService
from app.services.assisted import AssistedLaneService
from app.services.breakers import BreakerService, SiteBreakerInfo
from app.services.deadlines import SweepReport

#: Seconds without a sweep by another process after which a desk sweeps (more than the longest
#: server sweep_interval, 60 s, so a live server process is never second-guessed).
UNATTENDED_AFTER = 90.0


def desk_worker_id() -> str:
    """This desktop's identity in ``claimed_by`` and the workers table."""
    return f"desk:{socket.gethostname()}:{os.getpid()}"


class ServiceBackend:
    """Calls the app/ services for the desktop (see :class:`app.desk.api.DeskBackend`)."""

    def __init__(
        self, engine: Engine, actor_name: str = "", evidence_max_bytes: int = 25 * 1024 * 1024,
        max_attempts: int = 5, role: str | None = None,
    ) -> None:
        from app.escrow.service import EscrowService
        from app.evidence import EvidenceStore
        from app.services.claims import ClaimService
        from app.services.deadlines import DeadlineService
        from app.services.mail_review import MailReviewService
        from app.services.ops import AlarmService, WorkerService
        from app.services.queue import QueueService
        from app.services.stats import StatsService
        from app.services.transfers import TransferService

        self.engine = engine
        self.actor_name = actor_name
        self.worker_id = desk_worker_id()
        self.role = role
        self.queue = QueueService(engine, actor_name, role)
        self.transfers = TransferService(engine, actor_name, role,
                                         evidence_max_bytes=evidence_max_bytes)
        self.claims = ClaimService(engine, actor_name, role, max_attempts=max_attempts)
        self.evidence = EvidenceStore(engine, actor_name, role, max_bytes=evidence_max_bytes)
        self.alarm_service = AlarmService(engine, actor_name, role)
        self.mail = MailReviewService(engine, actor_name, role)
        self.stats = StatsService(engine, actor_name, role)
        self.workers = WorkerService(engine, actor_name, role)
        self.deadlines = DeadlineService(engine, actor_name, role, sweeper_id=self.worker_id)
        # The desk lists and re-queues escrow work; only the escrow processor talks to Stripe.
        self.escrow = EscrowService(engine, None, actor_name=actor_name, role=role)
        self._max_bytes = evidence_max_bytes
        #: How long a proven portal session is trusted in the accounts view (older: expired).
        self.session_lifetime = DEFAULT_SESSION_LIFETIME
        #: Where this machine keeps saved browser sessions (an edit or removal deletes the old
        #: identity's); None: the backend deletes none (set by :meth:`open_for_desk`).
        self.sessions_dir: Path | None = None

    @classmethod
    def connect(
        cls, engine: Engine, actor_name: str = "", evidence_max_bytes: int = 25 * 1024 * 1024,
        max_attempts: int = 5,
    ) -> ServiceBackend:
        """A backend acting as the desk's role, registered in the workers table (blocking).

        The services use ``transferdesk_supervisor`` or ``transferdesk_staff`` when the login
        role is a member (see :func:`app.services.ops.desk_role`), else the login role.
        """
        from app.services.ops import desk_role

        role = desk_role(engine)
        backend = cls(engine, actor_name, evidence_max_bytes, max_attempts,
                      role.value if role is not None else None)
        backend.workers.register(backend.worker_id, "desktop", backend.actor())
        return backend

    @classmethod
    def open_for_desk(cls, settings: Settings) -> tuple[str, ServiceBackend]:
        """Resolve (on first use, start) the database, check its schema, connect (blocking).

        The embedded cluster is this desk's own and is migrated; a shared database is only
        checked (staff logins run no DDL). Returns the URL and the connected backend.
        """
        from app.db import migrate
        from app.db.engine import make_engine, resolve_database_url

        url = resolve_database_url(settings)
        if settings.uses_embedded_database:
            migrate.upgrade(url)
        else:
            migrate.check_current(url)
        backend = cls.connect(make_engine(url), settings.display_name,
                              settings.evidence_max_bytes, settings.max_attempts)
        backend.deadlines.warn_before = settings.deadlines.warn_before
        backend.sessions_dir = settings.data_dir / SESSIONS_FOLDER
        return url, backend

    def beat(self) -> None:
        """The desk's heartbeat in the workers table (the window calls it on a timer)."""
        self.workers.beat(self.worker_id)

    def sweep_deadlines(self) -> SweepReport:
        """Sweep deadlines when no server process did lately (the window's alarms timer)."""
        return self.deadlines.sweep_if_unattended(UNATTENDED_AFTER)

    def stop(self) -> None:
        """Mark the desk stopped in the workers table (window closing)."""
        self.workers.stop(self.worker_id)

    def shut_down(self) -> None:
        """Mark the desk stopped and close the engine (a backend nobody will use; blocking)."""
        try:
            self.stop()
        finally:
            self.engine.dispose()

    def actor(self) -> str:
        """The display name written to the audit log."""
        return self.actor_name or self.worker_id

    def queue_page(self, query: QueueFilter, cursor: str | None, limit: int) -> QueuePage:
        """One keyset window of the queue (counts come separately: they cost more)."""
        return self.queue.list_page(
            query, cursor=cursor, limit=limit, with_counts=False,
        )

    def queue_counts(self, query: QueueFilter) -> QueueCounts:
        """Per-status counts and the total of the rows matching ``query`` (capped for a term
        too short for the trigram index)."""
        return self.queue.counts(query)

    def queue_rows(self, ids: Sequence[int]) -> Sequence[TransferRow]:
        """Fresh rows after change events."""
        return self.queue.rows(ids)

    def accounts(self) -> Sequence[PortalAccountInfo]:
        """Portal accounts."""
        return self.queue.accounts()

    def detail(self, transfer_id: int) -> TransferDetail:
        """Everything recorded about one transfer."""
        return self.queue.detail(transfer_id)

    def evidence_content(self, evidence_id: int) -> bytes:
        """Evidence bytes, sha256-checked by the store."""
        return self.evidence.read(evidence_id)[1]

    def claim(self, transfer_id: int) -> Claim | None:
        """Claim for this desktop (None if someone else has it)."""
        return self.claims.claim(self.worker_id, transfer_id=transfer_id)

    def release(self, transfer_id: int) -> TransferFull:
        """Release this desktop's claim."""
        return self.claims.release(transfer_id, self.worker_id, reason="released from the desk")

    def validate_evidence(self, item: EvidenceFile) -> str | None:
        """Why the evidence store would refuse ``item`` (checked before upload)."""
        from app.domain.errors import EvidenceError
        from app.evidence import validate

        try:
            validate("upload", item.filename, item.content, self._max_bytes)
        except EvidenceError as exc:
            return str(exc).split(": ", 1)[-1]  # the file name is already on the line
        return None

    def decide(
        self, transfer_id: int, expected_version: int, verified: bool, note: str,
        files: Sequence[EvidenceFile],
    ) -> TransferFull:
        """Manual verify/reject: the decision and its uploads in one transaction."""
        from app.evidence import Upload

        uploads = [Upload(f.filename, f.content) for f in files]
        decide = self.transfers.manual_verify if verified else self.transfers.manual_reject
        return decide(transfer_id, expected_version, note, uploads=uploads)

    def reopen(self, transfer_id: int, expected_version: int, note: str) -> TransferFull:
        """Supervisor: reopen a decided transfer."""
        return self.transfers.reopen(transfer_id, expected_version, note)

    def unmatched_notices(self) -> Sequence[MailMessageInfo]:
        """Transfer notices no transfer was matched to (unmatched or ambiguous)."""
        return self.mail.unmatched()

    def link_notice(self, notice_id: int, transfer_id: int) -> TransferFull:
        """Link a notice to a transfer by hand."""
        return self.mail.link(notice_id, transfer_id)

    def search_transfers(self, text: str, limit: int) -> Sequence[TransferRow]:
        """Open transfers matching ``text``."""
        flt = QueueFilter(statuses=OPEN_STATUSES, text=text)
        return self.queue.list_page(flt, limit=limit, with_counts=False).rows

    def alarms(self) -> Sequence[AlarmInfo]:
        """Open alarms."""
        return self.alarm_service.list_open()

    def resume_site(self, site_url: str) -> SiteBreakerInfo:
        """Supervisor: end a blocked site's automation pause (audited)."""
        return self._breakers().resume(site_url)

    def _breakers(self) -> BreakerService:
        return BreakerService(self.engine, self.actor_name, self.role)

    def _lane(self) -> AssistedLaneService:
        return AssistedLaneService(self.engine, self.actor_name, self.role)

    def lane_queue(self, desk: str) -> Sequence[TransferFull]:
        """The assisted lane as this desk sees it."""
        return self._lane().queue(desk)

    def lane_take_next(self, desk: str) -> TransferFull | None:
        """Claim the lane's next transfer for this desk."""
        return self._lane().take_next(desk)

    def lane_verify(
        self, transfer_id: int, desk: str, version: int, screenshot: bytes
    ) -> TransferFull:
        """Verify a lane transfer with the pasted screenshot as evidence."""
        return self._lane().verify(transfer_id, desk, version, screenshot)

    def add_account(self, account: NewPortalAccount) -> PortalAccountInfo:
        """The account row and its keyring password, both or neither
        (:func:`app.services.account_setup.add_account_with_password`)."""
        from app.services.account_setup import add_account_with_password

        return add_account_with_password(self.transfers, account.platform, account.site_url,
                                         account.username, account.label, account.password)

    def edit_account(self, account_id: int, changes: AccountChanges) -> AccountEdited:
        """The row and the keyring together (:mod:`app.services.account_edit`)."""
        return self._account_edits().edit(account_id, changes)

    def remove_account(self, account_id: int) -> AccountRemoved:
        """Retire or delete the account, its password and saved session (supervisors)."""
        return self._account_edits().remove(account_id)

    def _account_edits(self) -> AccountEditService:
        return AccountEditService(self.engine, self.actor_name, self.role,
                                  sessions_dir=self.sessions_dir)

    def automation_mode(self, account_id: int) -> str:
        """A portal account's automation mode."""
        return self._breakers().automation_mode(account_id)

    def set_automation_mode(self, account_id: int, mode: str) -> str:
        """Supervisor: set a portal account's automation mode (audited); the old mode."""
        return self._breakers().set_automation_mode(account_id, mode)

    def escrow_problems(self) -> Sequence[EscrowProblem]:
        """The escrow problems list."""
        return self.escrow.problems()

    def escrow_retry(self, transfer_ids: list[int]) -> list[int]:
        """Queue failed captures/cancels of ``transfer_ids`` again."""
        return self.escrow.retry(transfer_ids)

    def dashboard(self, days: int) -> DashboardStats:
        """Dashboard figures for ``days`` days."""
        return self.stats.dashboard(days)

    def account_statuses(self, include_retired: bool = False) -> Sequence[AccountStatus]:
        """Every portal account's status (one query; retired ones only when asked)."""
        from app.services.account_status import AccountStatusService

        return AccountStatusService(self.engine, self.actor_name, self.role,
                                    session_lifetime=self.session_lifetime,
                                    ).statuses(include_retired)

    def metrics(self, start: datetime, end: datetime) -> DeskMetrics:
        """The dashboard over [start, end)."""
        from app.services.desk_metrics import DeskMetricsService

        return DeskMetricsService(self.engine, self.actor_name, self.role).metrics(start, end)

    def first_run(self, mailboxes: Sequence[str]) -> FirstRunState:
        """Accounts, whether any order exists (one row, not a count: cheap on 100k), and the
        first mailbox with a stored password.

        A mailbox counts as connected when it is configured (``mailboxes``, from the settings)
        and its password is in the keyring, as the Settings' Mailbox tab needs it; a keyring
        that cannot be read counts as no password.
        """
        from app.credentials import CredentialStore, mailbox_key
        from app.errors import KnownError

        accounts = sum(1 for account in self.queue.accounts() if account.active)
        has_orders = bool(self.queue.list_page(QueueFilter(), limit=1, with_counts=False).rows)
        connected = None
        for name in mailboxes:
            try:
                if CredentialStore().get(mailbox_key(name)):
                    connected = name
                    break
            except KnownError:
                break
        return FirstRunState(accounts, has_orders, connected)
