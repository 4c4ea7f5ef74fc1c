"""From claims to jobs, and from finished runs to the system of record (or the journal).

:class:`RunStore` is the runner's only door to the database: it turns a :class:`Claim` into a
:class:`RunJob` (portal account + keyring password), stores evidence and the run outcome through
the domain services, raises selector-drift / bot-challenge alarms, and writes the record to the
local :class:`OutcomeJournal` when the database cannot be reached, replaying it later.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import sqlalchemy.exc
from sqlalchemy import Engine

from app.credentials import CredentialStore, MissingCredentialError, portal_key
from app.domain.errors import DomainError, LeaseLostError, NotFoundError
from app.domain.records import Claim, PortalAccountInfo
from app.errors import KnownError
from app.services.breakers import BreakerPolicy
from app.services.claims import ClaimService
from app.services.ops import AlarmService
from app.services.portal_profiles import PortalProfileService
from app.services.queue import QueueService
from app.services.run_records import ALREADY_RECORDED, RunEvidence, RunRecordService
from app.urls import redact_text
from automation.journal import OutcomeJournal, ReplayResult, RunRecord
from automation.portals.protocol import PortalCredentials, TransferTarget
from automation.portals.snapshot import SANITIZED_PREFIX
from automation.runs.outcomes import Outcome
from automation.runs.runner import RunJob

log = logging.getLogger(__name__)

JOURNALED = "journaled"
LEASE_LOST = "lease_lost"
PASSWORD_CACHE_SECONDS = 300.0


def is_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be reached (keep the outcome, retry later)."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                        sqlalchemy.exc.TimeoutError)):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a hard dependency
        return False
    return isinstance(exc, psycopg.OperationalError)


class RunStore:
    """The database side of runs.

    Args:
        engine: the pooled engine.
        journal: where outcomes go while the database is unreachable.
        credentials: the keyring (portal passwords).
        actor_name: the display name written to the audit log.
        role: PostgreSQL role to act as (``transferdesk_bot`` for workers), None for the login.
        max_attempts: attempts before a retryable failure goes to needs_review.
        lease_seconds: lease length of a claim.
        breaker: when blocked runs pause a site (default: :class:`BreakerPolicy`'s).
    """

    def __init__(
        self,
        engine: Engine,
        journal: OutcomeJournal,
        credentials: CredentialStore,
        actor_name: str = "",
        role: str | None = None,
        max_attempts: int = 5,
        lease_seconds: float = 120.0,
        evidence_max_bytes: int = 25 * 1024 * 1024,
        breaker: BreakerPolicy | None = None,
    ) -> None:
        self.journal = journal
        self.credentials = credentials
        self.claims = ClaimService(engine, actor_name, role, max_attempts=max_attempts,
                                   lease_seconds=lease_seconds, breaker=breaker)
        self.records = RunRecordService(self.claims, max_bytes=evidence_max_bytes)
        self.alarms = AlarmService(engine, actor_name, role)
        self.queue = QueueService(engine, actor_name, role)
        self.profiles = PortalProfileService(engine, actor_name, role)
        self._accounts: dict[int, PortalAccountInfo] = {}
        self._passwords: dict[int, tuple[float, str]] = {}

    def remember_profile(self, job: RunJob, profile: str) -> None:
        """Record the profile this run's first sign-in detected (never fails the run)."""
        try:
            if self.profiles.record_detected(job.credentials.site_url, job.credentials.username,
                                             profile):
                self._accounts.clear()
                log.info("portal account %s on %s: profile %s recorded",
                         job.credentials.username, job.credentials.site_url, profile)
        except Exception as exc:  # a lost write only means detecting again next time
            log.warning("could not record the detected profile %s: %s", profile, exc)

    # -- claims -> jobs --------------------------------------------------------------------

    def account(self, account_id: int) -> PortalAccountInfo:
        """The portal account (cached).

        Raises:
            NotFoundError: no such account.
        """
        if account_id not in self._accounts:
            for info in self.queue.accounts():
                self._accounts[info.id] = info
        try:
            return self._accounts[account_id]
        except KeyError:
            raise NotFoundError("portal account", account_id) from None

    def password_for(self, account: PortalAccountInfo) -> str:
        """The account's password from the keyring (``portal:<id>``, else ``portal:<username>``).

        Kept in memory for :data:`PASSWORD_CACHE_SECONDS` so a batch reads the keyring once.

        Raises:
            MissingCredentialError: neither key is set.
        """
        cached = self._passwords.get(account.id)
        if cached is not None and time.monotonic() - cached[0] < PASSWORD_CACHE_SECONDS:
            return cached[1]
        for name in (str(account.id), account.username):
            secret = self.credentials.get(portal_key(name))
            if secret:
                self._passwords[account.id] = (time.monotonic(), secret)
                return secret
        raise MissingCredentialError(
            f"no password for portal account {account.username} in the keyring "
            f"(set {portal_key(str(account.id))} in Settings > Credentials)"
        )

    def job_for(self, claim: Claim) -> RunJob:
        """The runnable job of a claim.

        Raises:
            MissingCredentialError / NotFoundError: the account is not usable.
        """
        full = claim.transfer
        row = full.row
        if row.account_id is None:
            raise NotFoundError("portal account of transfer", row.id)
        account = self.account(row.account_id)
        target = TransferTarget(
            transfer_id=row.id,
            accept_url=full.accept_url,
            transfer_ref=full.transfer_ref,
            event_name=row.event_name,
            section=row.section,
            row=row.row,
            seats=tuple(row.seats),
        )
        credentials = PortalCredentials(account.site_url, account.username,
                                        self.password_for(account))
        return RunJob(row.id, claim.worker, claim.attempt, row.platform or account.platform,
                      credentials, target, run_id=claim.run_id, profile=account.profile)

    def claim_job(self, worker: str, transfer_id: int | None = None) -> RunJob | None:
        """Claim (the next due transfer, or exactly ``transfer_id``) and build its job.

        A claim whose job cannot be built (no password in the keyring, no account) is closed
        at once as ``login_failed`` (needs_review, with the reason) and the error re-raised.

        Raises:
            DomainError: ``transfer_id`` cannot be claimed (and why).
            MissingCredentialError / NotFoundError: the account is not usable.
        """
        claim = self.claims.claim(worker, transfer_id)
        if claim is None:
            return None
        try:
            return self.job_for(claim)
        except KnownError as exc:
            self.claims.record_outcome(claim.run_id, worker, Outcome.LOGIN_FAILED, str(exc))
            raise

    # -- outcomes --------------------------------------------------------------------------

    def __call__(self, record: RunRecord) -> tuple[str, bool]:
        """Record the run; journal it when the database is unreachable.

        If the lease was lost meanwhile (the run outlived it), a success is recorded on a new
        claim; otherwise the outcome is dropped with a warning (the transfer is back in the
        queue, and a re-run ends ``already_accepted`` if the portal accepted it).
        """
        try:
            return self._write_replayed(record, from_journal=False), False
        except DomainError as exc:  # lease lost, or the re-claim was refused: someone else has it
            log.warning("outcome %s of transfer %s not recorded: %s",
                        record.outcome, record.transfer_id, exc)
            return LEASE_LOST, False
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            self.journal.write(record)
            return JOURNALED, True

    def write(self, record: RunRecord) -> str:
        """Store evidence and the outcome (one transaction); returns the transfer's new status."""
        return self._record(record)

    def _record(self, record: RunRecord) -> str:
        evidence = [
            RunEvidence(f"{record.run_key}/{item.kind}/{item.filename}", item.kind,
                        item.filename, item.content)
            for item in record.evidence
        ]
        result = self.records.record(record.run_id, record.worker, record.outcome,
                                     redact_text(record.detail), evidence)
        if record.outcome in (Outcome.SELECTOR_DRIFT.value, Outcome.BOT_CHALLENGE.value,
                              Outcome.UNTRUSTED_LINK.value) and result.action != ALREADY_RECORDED:
            kind = record.outcome
            self.alarms.raise_alarm(
                kind, record.site_url or "portal",
                redact_text(f"{kind.replace('_', ' ')} on {record.site_url or 'the portal'}: "
                            f"{record.detail}" + self._sanitized_page_note(record)),
            )
        return result.transfer.row.status.value

    def _sanitized_page_note(self, record: RunRecord) -> str:
        """`` (sanitized page: evidence #N)`` when the run attached the drifted page's markup."""
        for item in record.evidence:
            if item.kind != "trace" and item.filename.startswith(SANITIZED_PREFIX):
                evidence_id = self.records.evidence_ids(record.run_id).get(item.filename)
                return f" (sanitized page: evidence #{evidence_id}, {item.filename})"
        return ""

    def _write_replayed(self, record: RunRecord, from_journal: bool = True) -> str:
        """Record a run; if its lease was reaped meanwhile, a success is claimed again first.

        A success outcome must not be lost: the transfer was accepted on the portal.
        """
        try:
            return self._record(record)
        except LeaseLostError:
            if record.outcome not in (Outcome.ACCEPTED.value, Outcome.ALREADY_ACCEPTED.value):
                raise
        claim = self.claims.claim(record.worker, record.transfer_id)
        if claim is None:
            raise LeaseLostError(record.transfer_id, record.worker)
        note = "replayed from the local journal" if from_journal else "recorded on a new claim"
        return self._record(replace(record, run_id=claim.run_id,
                                    detail=f"{record.detail} ({note})"))

    def _replay_one(self, record: RunRecord) -> None:
        self._write_replayed(record)

    def release(self, job: RunJob, reason: str) -> None:
        """Give the claim back without an outcome (graceful shutdown)."""
        self.claims.release(job.transfer_id, job.worker, reason)

    def replay_journal(self) -> ReplayResult:
        """Record journaled outcomes now that the database may be back."""
        result = self.journal.replay(self._replay_one, is_unreachable)
        if result.replayed or result.refused:
            log.info("journal replay: %d recorded, %d refused, %d waiting",
                     result.replayed, result.refused, result.remaining)
        return result


