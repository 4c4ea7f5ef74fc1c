"""The deadline sweeper: expire what lapsed, warn before anything lapses (one transaction).

Every TransferDesk process sweeps (the worker, ``escrow process --every``, and a desk when no
server process swept lately); ``pg_try_advisory_xact_lock`` inside the sweep's transaction lets
one process do it at a time, the others skip that round. One sweep:

1. expires every waiting transfer whose accept window or hold lapsed
   (:func:`app.services.transfers.expire_overdue_in`, with audit rows); the escrow processor
   then cancels their holds;
2. closes the warning alarms of transfers that are no longer open;
3. raises the warnings now due (``[deadlines] warn_before``): one ``deadline_warnings`` row per
   transfer, deadline kind and lead time (``ON CONFLICT DO NOTHING``) and, only for a new row,
   an alarm of kind ``deadline_warning`` in the same transaction;
4. stamps the ``deadline_sweep`` row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.domain.deadlines import (
    DEFAULT_WARN_BEFORE,
    DueWarning,
    due_warnings,
    format_lead,
    format_left,
)
from app.domain.states import Role
from app.repositories import deadlines as repo
from app.repositories import records
from app.services.base import Service
from app.services.transfers import expire_overdue_in

ALARM_KIND = repo.ALARM_KIND
#: Warnings one sweep raises at most (each is a few statements in the sweep's transaction).
MAX_WARNINGS_PER_SWEEP = 200


@dataclass(frozen=True)
class RaisedWarning:
    """A warning this sweep raised."""

    transfer_id: int
    order_ref: str
    warning: DueWarning
    alarm_id: int
    message: str


@dataclass(frozen=True)
class DeadlineWarningAlarm:
    """Core event: a desk saw a new ``deadline_warning`` alarm (the tray shows it)."""

    alarm_id: int
    message: str


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did; ``skipped`` when another process held the sweep lock (or, for
    :meth:`DeadlineService.sweep_if_unattended`, when someone swept recently)."""

    skipped: bool = False
    expired: tuple[int, ...] = ()
    warned: tuple[RaisedWarning, ...] = ()
    resolved: int = 0


class DeadlineService(Service):
    """Sweeps deadlines. See the module docstring and docs/domain.md, "Deadlines".

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        warn_before: lead times of the warnings (settings.deadlines.warn_before).
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
        warn_before: Sequence[timedelta] = DEFAULT_WARN_BEFORE,
        sweeper_id: str = "",
    ) -> None:
        super().__init__(bind, actor_name, role)
        self.warn_before = tuple(sorted(set(warn_before), reverse=True))
        self.sweeper_id = sweeper_id or actor_name or "deadline sweeper"
        self.max_warnings = MAX_WARNINGS_PER_SWEEP

    def sweep(self, now: datetime | None = None) -> SweepReport:
        """Expire, resolve and warn, in one transaction (skipped when another process sweeps)."""
        with self.transaction() as session:
            if not repo.try_sweep_lock(session):
                return SweepReport(skipped=True)
            return self._sweep_locked(session, now or datetime.now(UTC))

    def sweep_if_unattended(self, max_age: float, now: datetime | None = None) -> SweepReport:
        """Sweep unless another sweeper swept in the last ``max_age`` seconds (a desk's
        fallback when no worker or escrow processor runs; once it sweeps it keeps sweeping)."""
        with self.transaction() as session:
            last = repo.last_sweep(session)
            if last is not None and last[1] != self.sweeper_id and last[0] < max_age:
                return SweepReport(skipped=True)
            if not repo.try_sweep_lock(session):
                return SweepReport(skipped=True)
            return self._sweep_locked(session, now or datetime.now(UTC))

    def last_sweep(self) -> tuple[float, str] | None:
        """``(seconds ago, sweeper id)`` of the last sweep by anyone (None: never)."""
        with self.transaction() as session:
            return repo.last_sweep(session)

    def _sweep_locked(self, session: Session, now: datetime) -> SweepReport:
        actor = self.actor_name or "deadline sweeper"
        expired = expire_overdue_in(session, now, actor)
        resolved = repo.resolve_for_closed(session, actor)
        warned = self._warn(session, now, actor) if self.warn_before else []
        repo.record_sweep(session, self.sweeper_id, len(expired), len(warned))
        return SweepReport(False, tuple(expired), tuple(warned), resolved)

    def _warn(self, session: Session, now: datetime, actor: str) -> list[RaisedWarning]:
        candidates = repo.open_with_deadlines_before(session, now + self.warn_before[0])
        done = repo.warned_keys(session, [c.transfer_id for c in candidates])
        raised: list[RaisedWarning] = []
        for transfer in candidates:
            if len(raised) >= self.max_warnings:  # a backlog is warned over several sweeps,
                break  # the most urgent first, so no sweep holds its transaction for minutes
            for due in due_warnings(transfer.deadlines, now, self.warn_before):
                lead = int(due.lead.total_seconds())
                if (transfer.transfer_id, due.kind.value, lead) in done:
                    continue
                warning_id = repo.insert_warning(session, transfer.transfer_id, due.kind.value,
                                                 lead, due.deadline_at, actor)
                if warning_id is None:  # raced in by a sweeper that did not take the lock
                    continue
                prefix = repo.alarm_key_prefix(transfer.transfer_id, due.kind.value)
                repo.resolve_superseded(session, transfer.transfer_id, due.kind.value, actor)
                message = (f"{transfer.order_ref}: {due.kind.label} in "
                           f"{format_left(due.deadline_at - now)} "
                           f"({due.deadline_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC); "
                           f"still {transfer.status.replace('_', ' ')}")
                alarm = records.raise_alarm(session, ALARM_KIND,
                                            f"{prefix}:{format_lead(due.lead)}", message)
                repo.link_alarm(session, warning_id, alarm.id)
                raised.append(RaisedWarning(transfer.transfer_id, transfer.order_ref, due,
                                            alarm.id, message))
        return raised
