"""The escrow processor: after a committed decision, capture or cancel the Stripe hold.

Flow per transfer (safe with many processes on one database):

1. **claim** (one short transaction): ``SKIP LOCKED`` picks verified transfers whose hold is
   still open (capture) and rejected/expired ones (cancel); the row moves to
   ``capture_pending``/``cancel_pending``, ``escrow_attempts`` counts up and
   ``escrow_next_attempt_at`` becomes the lease end.
2. **Stripe** (no transaction open): retrieve the PaymentIntent first (a retry after a lost
   reply finds it already captured), then capture/cancel with the idempotency key
   ``transfer:{id}:capture`` / ``:cancel``.
3. **record** (one transaction): the result and an audit row, only if the claim is still ours.

A failure is retried with exponential backoff and jitter; after ``max_attempts`` the transfer
is ``failed``, an ``escrow_failure`` alarm opens and it shows in :meth:`EscrowService.problems`
until ``transferdesk escrow retry`` queues it again. Nothing is dropped; nothing is captured
twice (Stripe's idempotency plus the retrieve-first check).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.states import EscrowStatus, Role
from app.errors import KnownError
from app.escrow import repository as repo
from app.escrow.gateway import (
    IntentSnapshot,
    StripeAuthError,
    StripeGateway,
    StripeGatewayError,
    StripeRejectedError,
    StripeUnavailableError,
)
from app.escrow.repository import EscrowAction, EscrowJob, EscrowProblem
from app.events import EventBus
from app.services.base import Service

log = logging.getLogger(__name__)

ALARM_FAILURE = "escrow_failure"
ALARM_EXPIRING = "escrow_hold_expiring"
ALARM_LAPSED = "escrow_lapsed"
ALARM_MISMATCH = "escrow_mismatch"


class DatabaseUnavailableError(KnownError):
    """The database could not be reached; escrow work stays queued for the next pass."""


@dataclass(frozen=True)
class EscrowPolicy:
    """Timing knobs of the processor."""

    max_attempts: int = 5
    lease: timedelta = timedelta(minutes=2)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    warn_before: timedelta = timedelta(hours=24)
    batch_size: int = 20

    def backoff(self, attempt: int) -> timedelta:
        """Delay before attempt ``attempt + 1``: exponential, capped, with +-20 % jitter."""
        base = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        jittered: timedelta = base * random.uniform(0.8, 1.2)
        return jittered


@dataclass(frozen=True)
class EscrowResult:
    """What one job ended as (the same values are stored and audited)."""

    transfer_id: int
    action: EscrowAction
    escrow_status: str
    amount_captured: int | None = None
    error: str | None = None
    recorded: bool = True


@dataclass(frozen=True)
class EscrowChanged:
    """Core event: a transfer's escrow status changed (for the UI bridge)."""

    transfer_id: int
    escrow_status: str


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


class EscrowService(Service):
    """Moves held money after decisions; see the module docstring for the protocol.

    Args:
        bind: the pooled database engine (or a session factory).
        gateway: the Stripe gateway (its mode decides test or live); None for a desk, which
            lists and re-queues escrow work but never talks to Stripe.
        actor_name: recorded in audit rows (worker id or staff display name).
        role: PostgreSQL role to act as (e.g. the bot role on workers); None keeps the login.
        policy: retries, lease and warning window.
        clock: returns "now" (tests move time forward).
        events: where :class:`EscrowChanged` is published, if anywhere.
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        gateway: StripeGateway | None,
        *,
        actor_name: str = "escrow",
        role: Role | str | None = None,
        policy: EscrowPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
        events: EventBus | None = None,
    ) -> None:
        super().__init__(bind, actor_name=actor_name, role=role)
        self._gateway = gateway
        self.policy = policy or EscrowPolicy()
        self.clock = clock
        self.events = events

    @property
    def gateway(self) -> StripeGateway:
        """The Stripe gateway (only the escrow processor has one).

        Raises:
            RuntimeError: this service was built without one (a desk's).
        """
        if self._gateway is None:
            raise RuntimeError("this escrow service has no Stripe gateway (a desk's)")
        return self._gateway

    # -- the queue -------------------------------------------------------------------------

    def process_due(self, limit: int | None = None) -> list[EscrowResult]:
        """Claim the due captures/cancels and carry each one out; returns their results.

        Raises:
            DatabaseUnavailableError: the database is down (nothing was claimed or the claims
                come back after their lease).
        """
        results: list[EscrowResult] = []
        for job in self.claim(limit or self.policy.batch_size):
            if self.clock() >= job.lease_until:
                continue  # a slow batch: leave it to whoever claims it next, never race
            results.append(self.record(job, self.execute(job)))
        return results

    def process_all(self) -> list[EscrowResult]:
        """Run :meth:`process_due` until nothing is due now (retries wait for their time)."""
        results: list[EscrowResult] = []
        while batch := self.process_due():
            results.extend(batch)
        return results

    def claim(self, limit: int) -> list[EscrowJob]:
        """Claim due work in one committed transaction."""
        with self.transaction() as session:
            return repo.claim_due(session, self.clock(), self.policy.lease, limit)

    def execute(self, job: EscrowJob) -> EscrowResult:
        """Do the Stripe side of one claimed job; never raises for Stripe trouble."""
        try:
            intent = self.gateway.retrieve(job.payment_intent_id)
            if job.action is EscrowAction.CAPTURE:
                intent = self._capture(job, intent)
            else:
                intent = self._cancel(job, intent)
        except (StripeUnavailableError, StripeAuthError) as exc:  # may work later: retry
            return EscrowResult(job.transfer_id, job.action, job.pending_status, error=str(exc))
        except StripeGatewayError as exc:
            return EscrowResult(job.transfer_id, job.action, EscrowStatus.FAILED, error=str(exc))
        return self._result_from_intent(job, intent)

    def record(self, job: EscrowJob, result: EscrowResult) -> EscrowResult:
        """Store and audit a job's result (fenced by the claim's attempt number).

        Raises:
            DatabaseUnavailableError: the database is down; the claim's lease runs out and a
                later pass retrieves the PaymentIntent and records what happened.
        """
        now = self.clock()
        key = f"transfer:{job.transfer_id}"
        with self.transaction() as session:
            status, values, audit_action = self._plan(job, result, now)
            if not repo.finish_job(session, job, now, escrow_status=status, **values):
                log.warning("escrow claim on transfer %s was superseded", job.transfer_id)
                return EscrowResult(job.transfer_id, job.action, status, recorded=False)
            detail: dict[str, Any] = {
                "payment_intent_id": job.payment_intent_id, "attempt": job.attempt,
                "idempotency_key": job.idempotency_key, "escrow_status": status,
            }
            if result.amount_captured is not None:
                detail["amount_captured"] = result.amount_captured
            if result.error:
                detail["error"] = result.error
            repo.add_audit(session, job.transfer_id, audit_action, self.actor_name, detail)
            if status == EscrowStatus.FAILED:
                repo.raise_alarm(session, ALARM_FAILURE, key,
                                 f"transfer {job.transfer_id}: escrow {job.action.value} failed "
                                 f"after {job.attempt} attempt(s): {result.error}")
            elif status in (EscrowStatus.CAPTURED, EscrowStatus.CANCELLED):
                repo.resolve_alarms(session, (ALARM_FAILURE, ALARM_EXPIRING), key,
                                    self.actor_name)
            if status == EscrowStatus.LAPSED:
                repo.raise_alarm(session, ALARM_LAPSED, key,
                                 f"transfer {job.transfer_id}: the card authorization lapsed "
                                 "before it was captured")
            if mismatch := self._mismatch(job, status):
                repo.raise_alarm(session, ALARM_MISMATCH, key, mismatch)
        self._publish(job.transfer_id, status)
        return EscrowResult(job.transfer_id, job.action, status, result.amount_captured,
                            result.error)

    def retry(self, transfer_ids: list[int] | None = None) -> list[int]:
        """Queue failed captures/cancels again (all, or the given transfers); returns their ids."""
        now = self.clock()
        with self.transaction() as session:
            ids = repo.reset_failed(session, now, transfer_ids)
            for transfer_id in ids:
                repo.add_audit(session, transfer_id, "escrow_retry_requested", self.actor_name,
                               {"escrow_status": "pending"})
        for transfer_id in ids:
            self._publish(transfer_id, "pending")
        return ids

    def problems(self) -> list[EscrowProblem]:
        """The escrow problems list (failed, lapsed, retrying, mismatched, about to lapse)."""
        with self.transaction() as session:
            return repo.problems(session, self.clock(), self.policy.warn_before)

    # -- internals -------------------------------------------------------------------------

    def _capture(self, job: EscrowJob, intent: IntentSnapshot) -> IntentSnapshot:
        if intent.status != "requires_capture":
            return intent
        amount = job.amount_to_capture
        if amount == intent.amount:
            amount = None  # a "partial" capture of everything is a full capture
        try:
            return self.gateway.capture(intent.id, job.idempotency_key, amount)
        except StripeRejectedError:
            # A lost reply to an earlier attempt may have captured it already: look again.
            again = self.gateway.retrieve(intent.id)
            if again.status == "requires_capture":
                raise
            return again

    def _cancel(self, job: EscrowJob, intent: IntentSnapshot) -> IntentSnapshot:
        if not intent.is_open or intent.status == "processing":
            return intent
        try:
            return self.gateway.cancel(intent.id, job.idempotency_key)
        except StripeRejectedError:
            again = self.gateway.retrieve(intent.id)
            if again.is_open:
                raise
            return again

    def _result_from_intent(self, job: EscrowJob, intent: IntentSnapshot) -> EscrowResult:
        tid, action = job.transfer_id, job.action
        if intent.status == "succeeded":
            return EscrowResult(tid, action, EscrowStatus.CAPTURED, intent.amount_captured)
        if intent.status == "canceled":
            lapsed = intent.cancellation_reason == "automatic" or (
                intent.hold_expires_at <= self.clock() and action is EscrowAction.CAPTURE
            )
            return EscrowResult(tid, action, EscrowStatus.LAPSED if lapsed
                                else EscrowStatus.CANCELLED)
        if intent.status in ("processing", "requires_capture"):
            return EscrowResult(tid, action, job.pending_status,
                                error=f"PaymentIntent is {intent.status}; will look again")
        return EscrowResult(tid, action, EscrowStatus.FAILED,
                            error=f"PaymentIntent is {intent.status}: there is no authorized "
                                  "hold to capture")

    def _plan(
        self, job: EscrowJob, result: EscrowResult, now: datetime
    ) -> tuple[str, dict[str, Any], str]:
        """Decide the stored status, extra column values and audit action for a result."""
        status = str(result.escrow_status)
        if status == job.pending_status:  # retryable trouble
            if job.attempt >= self.policy.max_attempts:
                return (EscrowStatus.FAILED.value,
                        {"escrow_error": result.error, "escrow_next_attempt_at": None},
                        f"escrow_{job.action.value}_failed")
            retry_at = now + self.policy.backoff(job.attempt)
            return (status, {"escrow_error": result.error, "escrow_next_attempt_at": retry_at},
                    f"escrow_{job.action.value}_retry_scheduled")
        if status == EscrowStatus.FAILED:
            return (status, {"escrow_error": result.error, "escrow_next_attempt_at": None},
                    f"escrow_{job.action.value}_failed")
        return (status, {"escrow_error": None, "escrow_next_attempt_at": None},
                f"escrow_{status}")

    @staticmethod
    def _mismatch(job: EscrowJob, status: str) -> str:
        if job.action is EscrowAction.CANCEL and status == EscrowStatus.CAPTURED:
            return (f"transfer {job.transfer_id} is {job.transfer_status} but its payment was "
                    "captured outside TransferDesk: refund the buyer")
        if job.action is EscrowAction.CAPTURE and status == EscrowStatus.CANCELLED:
            return (f"transfer {job.transfer_id} is verified but its hold was cancelled "
                    "outside TransferDesk: the buyer was not charged")
        return ""

    def _publish(self, transfer_id: int, escrow_status: str) -> None:
        if self.events is not None:
            self.events.publish(EscrowChanged(transfer_id, str(escrow_status)))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; a lost connection becomes :class:`DatabaseUnavailableError`."""
        try:
            with super().transaction() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailableError(
                f"the database is unreachable ({' '.join(str(exc.orig or exc).split())}); "
                "escrow work stays queued and resumes when it is back"
            ) from exc
