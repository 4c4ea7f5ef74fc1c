"""Claiming work for acceptance runs: claim, heartbeat, release, reap, record the outcome.

A claim is committed at once (never hold a transaction across a browser run); the lease is
renewed by :meth:`ClaimService.heartbeat`; :meth:`ClaimService.reap_expired` returns transfers
whose claimer went silent.

Claiming is the hot path of many workers on one database, so :meth:`ClaimService.claim` is one
prepared statement in its own transaction (the database function ``transferdesk_claim``,
migration 0014, acts as the service's role and display name), sent on the pooled driver
connection in autocommit mode: no session, no ORM object. Its change notification follows the
commit in a transaction of its own (see :func:`app.repositories.claims.notify_claimed`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import Transfer
from app.domain.deadlines import Deadlines
from app.domain.errors import (
    DomainError,
    IllegalTransitionError,
    LeaseLostError,
    PermissionDeniedError,
    UnknownValueError,
)
from app.domain.records import Claim, RunResult, TransferFull
from app.domain.retry import next_retry_at
from app.domain.states import Action, Outcome, Role, Status, allowed_from, outcome_action
from app.repositories import breakers, mapping
from app.repositories import claims as repo
from app.repositories import transfers as transfer_repo
from app.services import transitions
from app.services.base import INSUFFICIENT_PRIVILEGE, Service

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 120.0
DEFAULT_MAX_ATTEMPTS = 5


class ClaimService(Service):
    """Work claiming for desktops and workers.

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        max_attempts: runs per transfer before it goes to needs_review (settings.max_attempts).
        lease_seconds: how long a claim lives without a heartbeat.
        breaker: when ``blocked`` runs pause a site (settings ``breaker_*``).
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        rng: random.Random | None = None,
        breaker: breakers.BreakerPolicy | None = None,
    ) -> None:
        super().__init__(bind, actor_name, role)
        self._engine = _engine_of(bind)
        self.breaker = breaker or breakers.BreakerPolicy()
        self.max_attempts = max_attempts
        self.lease = timedelta(seconds=lease_seconds)
        self._rng = rng or random.Random()

    def claim(self, worker: str, transfer_id: int | None = None,
              account_id: int | None = None) -> Claim | None:
        """Claim the most urgent due transfer (or exactly ``transfer_id``) and open its run.

        Returns:
            The claim, or None when nothing is claimable (only without ``transfer_id``).

        Raises:
            DomainError / IllegalTransitionError: ``transfer_id`` cannot be claimed, and why.
            PermissionDeniedError: the role may not claim.
        """
        try:
            with _autocommit_driver(self._engine) as driver:
                claimed = repo.claim(driver, worker, self.lease, self.actor_name,
                                     self.actor_name or worker,
                                     self.role.value if self.role else None,
                                     transfer_id, account_id)
                if claimed is not None:
                    _notify_claimed(driver, claimed[0])
        except psycopg.Error as exc:
            raise self._database_error(exc) from exc
        if claimed is None:
            if transfer_id is not None:
                with self.transaction() as session:
                    _explain_unclaimable(session, transfer_id)
            return None
        transfer = mapping.transfer_full(claimed[0])
        run_id = claimed[1]
        assert transfer.row.lease_until is not None
        return Claim(transfer, run_id, transfer.row.attempts, worker, transfer.row.lease_until)

    def heartbeat(self, transfer_id: int, worker: str) -> datetime:
        """Extend the lease; returns the new expiry.

        Raises:
            LeaseLostError: ``worker`` no longer holds the transfer: stop the run.
        """
        with self.transaction() as session:
            until = repo.extend_lease(session, transfer_id, worker, self.lease)
            if until is None:
                raise LeaseLostError(transfer_id, worker)
            return until

    def release(self, transfer_id: int, worker: str, reason: str = "") -> TransferFull:
        """Give a claimed transfer back without an outcome (e.g. the run never started).

        A release is not a failed attempt (a worker stopping, staff letting go), so the attempt
        the claim counted is given back: releases never push a transfer to needs_review.
        """
        with self.transaction() as session:
            transfer = _held(session, transfer_id, worker)
            _finish_open_run(session, transfer_id, None, f"released: {reason}".strip())
            updated = transitions.apply(
                session, transfer, Action.RELEASE, Status.NOTICE_RECEIVED,
                {**repo.unclaim_values(), "attempts": max(0, transfer.attempts - 1)},
                self.actor_name or worker,
                {"worker": worker, "reason": reason},
            )
            return mapping.transfer_full(updated)

    def reap_expired(self) -> list[int]:
        """Return every transfer whose lease expired to the queue (or to needs_review when its
        attempts are used up); their ids."""
        reaped: list[int] = []
        with self.transaction() as session:
            for transfer in repo.expired_leases(session):
                exhausted = transfer.attempts >= self.max_attempts
                target = Status.NEEDS_REVIEW if exhausted else Status.NOTICE_RECEIVED
                worker = transfer.claimed_by
                _finish_open_run(session, transfer.id, None, "lease expired")
                transitions.apply(
                    session, transfer, Action.LEASE_EXPIRED, target,
                    {**repo.unclaim_values(), "next_attempt_at": None},
                    self.actor_name or "reaper",
                    {"worker": worker, "attempts": transfer.attempts},
                )
                reaped.append(transfer.id)
        return reaped

    def record_outcome(
        self,
        run_id: int,
        worker: str,
        outcome: Outcome | str,
        detail: str = "",
        evidence_ids: Sequence[int] = (),
        trace_evidence_id: int | None = None,
    ) -> RunResult:
        """Close a run and move its transfer: verified, retry later, or needs_review.

        Raises:
            UnknownValueError: not an :class:`Outcome`.
            LeaseLostError: the run is no longer this worker's (lease expired or reaped).
        """
        try:
            result = Outcome(outcome)
        except ValueError:
            raise UnknownValueError("outcome", outcome, [o.value for o in Outcome]) from None
        with self.transaction() as session:
            return self.close_run(session, run_id, worker, result, detail, evidence_ids,
                                  trace_evidence_id)

    def close_run(self, session: Session, run_id: int, worker: str, result: Outcome,
                  detail: str, evidence_ids: Sequence[int] = (),
                  trace_evidence_id: int | None = None) -> RunResult:
        """:meth:`record_outcome` inside the caller's transaction (the site's breaker too)."""
        run = repo.get_run(session, run_id, lock=True)
        if run is None or run.worker != worker or run.finished_at is not None:
            raise LeaseLostError(run.transfer_id if run else 0, worker)
        transfer = _held(session, run.transfer_id, worker)
        action = outcome_action(result, transfer.attempts, self.max_attempts)
        values: dict[str, Any] = {**repo.unclaim_values(), "last_outcome": result.value}
        retry_at = _retry_at(session, transfer, self._rng) if action is Action.RUN_RETRY \
            else None
        if action is Action.RUN_RETRY and retry_at is None:
            action = Action.RUN_NEEDS_REVIEW  # no retry fits before the deadline
            detail = f"{detail}; no retry fits before the deadline".lstrip("; ")
        if action is Action.RUN_VERIFIED:
            target = Status.VERIFIED
            values.update(verified_at=func.now(), verified_by=worker, method="auto")
        elif action is Action.RUN_RETRY:
            target = Status.NOTICE_RECEIVED
            values["next_attempt_at"] = retry_at
        else:
            target = Status.NEEDS_REVIEW
        finished = repo.finish_run(session, run_id, result.value, detail, trace_evidence_id)
        updated = transitions.apply(
            session, transfer, action, target, values, self.actor_name or worker,
            {"run_id": run_id, "outcome": result.value, "detail": detail,
             "attempt": transfer.attempts, "evidence_ids": list(evidence_ids)},
        )
        breakers.after_run(session, transfer.account_id, result, self.breaker,
                           self.actor_name or worker, detail)
        return RunResult(mapping.transfer_full(updated), mapping.run_record(finished),
                         action.value)


    def _database_error(self, exc: psycopg.Error) -> Exception:
        """What :meth:`transaction` would raise for a driver error: a permission error, else
        SQLAlchemy's wrapper (callers tell an unreachable database by those)."""
        if exc.sqlstate == INSUFFICIENT_PRIVILEGE:
            detail = exc.diag.message_primary or str(exc)
            return PermissionDeniedError(
                f"not allowed for {self.role.value if self.role else 'this login'}: {detail}"
            )
        return DBAPIError.instance(None, None, exc, psycopg.Error)


def _retry_at(session: Session, transfer: Transfer, rng: random.Random | None
              ) -> datetime | None:
    """The next try by deadline proximity (database time); None when none fits."""
    deadline = Deadlines(transfer.accept_by, transfer.event_starts_at,
                         transfer.hold_expires_at).earliest()
    now = session.scalar(select(func.now()))
    assert now is not None
    return next_retry_at(now, transfer.attempts, deadline, rng)


def _engine_of(bind: Engine | sessionmaker[Session]) -> Engine:
    """The engine the claims' driver connections come from (a session factory's bind)."""
    engine = bind if isinstance(bind, Engine) else bind.kw.get("bind")
    if not isinstance(engine, Engine):
        raise TypeError("ClaimService needs an Engine, or a sessionmaker bound to one")
    return engine


@contextmanager
def _autocommit_driver(engine: Engine) -> Iterator[psycopg.Connection[Any]]:
    """A pooled psycopg connection in autocommit mode (each statement its own transaction);
    back to the pool as it came, or dropped from it when it broke."""
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        assert isinstance(driver, psycopg.Connection)
        driver.autocommit = True
        try:
            yield driver
        finally:
            if driver.broken:
                pooled.invalidate()  # a dead connection must not go back to the pool
            elif not driver.closed:
                driver.autocommit = False
    finally:
        pooled.close()


def _notify_claimed(driver: psycopg.Connection[Any], claimed: mapping.TransferColumns) -> None:
    """Notify the committed claim; a failure loses only a wake-up (listeners resync), never
    the claim, which is returned all the same."""
    try:
        repo.notify_claimed(driver, claimed)
    except psycopg.Error as exc:
        log.warning("transfer %s claimed, but its change notification failed (listeners "
                    "resync): %s", claimed.id, exc)


def _held(session: Session, transfer_id: int, worker: str) -> Transfer:
    transfer = transfer_repo.get(session, transfer_id, lock=True)
    if transfer.status != Status.ACCEPTING.value or transfer.claimed_by != worker:
        raise LeaseLostError(transfer_id, worker)
    return transfer


def _finish_open_run(session: Session, transfer_id: int, outcome: str | None,
                     detail: str) -> None:
    run = repo.open_run_for(session, transfer_id)
    if run is not None:
        repo.finish_run(session, run.id, outcome, detail)


def _explain_unclaimable(session: Session, transfer_id: int) -> None:
    transfer = transfer_repo.get(session, transfer_id)  # NotFoundError
    if (paused := breakers.why_not_automatable(session, transfer.account_id)) is not None:
        raise DomainError(f"transfer {transfer.order_ref} is not automated now: {paused}")
    if transfer.status == Status.ACCEPTING.value:
        raise DomainError(
            f"transfer {transfer.order_ref} is already being accepted by {transfer.claimed_by}"
        )
    if transfer.status != Status.NOTICE_RECEIVED.value:
        raise IllegalTransitionError(Action.CLAIM.value, transfer.status,
                                     Status.ACCEPTING.value, allowed_from(Action.CLAIM))
    raise DomainError(f"transfer {transfer.order_ref} is locked by another claimer; try again")
