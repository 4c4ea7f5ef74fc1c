"""From finished runs to the system of record (or the journal).

:class:`RunRecorder` is the runner's door to the database for outcomes: it stores evidence and
the run outcome through the domain services, raises selector-drift / bot-challenge alarms, and
writes the run to the local :class:`OutcomeJournal` when the database cannot be reached,
replaying it later. Claims become jobs in :mod:`automation.runs.job_builder`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import sqlalchemy.exc
from sqlalchemy import Engine

from app.domain.errors import DomainError, LeaseLostError
from app.services.claims import ClaimService
from app.services.ops import AlarmService
from app.services.run_records import ALREADY_RECORDED, RunEvidence, RunRecordService
from app.urls import redact_text
from automation.journal import FinishedRun, OutcomeJournal, ReplayResult
from automation.portals.snapshot import SANITIZED_PREFIX
from automation.runs.accounts import PortalAccounts
from automation.runs.jobs import RunJob
from automation.runs.outcomes import Outcome

log = logging.getLogger(__name__)

JOURNALED = "journaled"
LEASE_LOST = "lease_lost"


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


class RunRecorder:
    """Records finished runs (the runner's :class:`~automation.runs.jobs.OutcomeRecorder`).

    Args:
        engine: the pooled engine (alarms).
        claims: the claim service the runs were claimed through.
        journal: where outcomes go while the database is unreachable.
        accounts: where a detected selector profile is remembered.
        actor_name: the display name written to the audit log.
        role: PostgreSQL role to act as (``transferdesk_bot`` for workers), None for the login.
        evidence_max_bytes: the largest evidence file stored.
    """

    def __init__(
        self,
        engine: Engine,
        claims: ClaimService,
        journal: OutcomeJournal,
        accounts: PortalAccounts,
        actor_name: str = "",
        role: str | None = None,
        evidence_max_bytes: int = 25 * 1024 * 1024,
    ) -> None:
        self.claims = claims
        self.journal = journal
        self.accounts = accounts
        self.records = RunRecordService(claims, max_bytes=evidence_max_bytes)
        self.alarms = AlarmService(engine, actor_name, role)

    def remember_profile(self, job: RunJob, profile: str) -> None:
        """Record the profile this run's first sign-in detected (never fails the run)."""
        self.accounts.remember_profile(job.credentials.site_url, job.credentials.username,
                                       profile)

    def __call__(self, record: FinishedRun) -> tuple[str, bool]:
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

    def write(self, record: FinishedRun) -> str:
        """Store evidence and the outcome (one transaction); returns the transfer's new status."""
        return self._record(record)

    def _record(self, record: FinishedRun) -> str:
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

    def _sanitized_page_note(self, record: FinishedRun) -> str:
        """`` (sanitized page: evidence #N)`` when the run attached the drifted page's markup."""
        for item in record.evidence:
            if item.kind != "trace" and item.filename.startswith(SANITIZED_PREFIX):
                evidence_id = self.records.evidence_ids(record.run_id).get(item.filename)
                return f" (sanitized page: evidence #{evidence_id}, {item.filename})"
        return ""

    def _write_replayed(self, record: FinishedRun, from_journal: bool = True) -> str:
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

    def _replay_one(self, record: FinishedRun) -> None:
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


