"""Accounts at a glance: every portal account's session state, last success and failure, the
next time it may act and its open transfers, in one query (no query per account).

Owns the query and turning its row into :class:`~app.domain.account_states.AccountStatus`;
the state rule itself is :func:`~app.domain.account_states.session_state`. Everything is
derived from what the database records: the runs of the account's transfers and their
outcomes, the site's circuit breaker (``site_breakers``) and the account's automation mode.
Runs count for the account their transfer is on now (a reassigned transfer's runs move along).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, RowMapping, text
from sqlalchemy.orm import Session, sessionmaker

from app.domain.account_states import (
    ACCOUNT_FAILURES,
    DEFAULT_MIN_INTERVAL,
    DEFAULT_SESSION_LIFETIME,
    TELLING_OUTCOMES,
    AccountStatus,
    AutomationMode,
    OpenTransfers,
    SessionState,
    TellingRun,
    one_line,
    session_state,
)
from app.domain.states import SUCCESS_OUTCOMES, Outcome, Role
from app.services.base import Service

__all__ = ["AccountStatusService"]

_QUERY = text("""
WITH run_facts AS (
    SELECT t.account_id,
           max(r.started_at) AS last_run_at,
           max(r.finished_at) FILTER (WHERE r.outcome = ANY(:success)) AS last_success_at,
           (array_agg(r.id ORDER BY r.finished_at DESC, r.id DESC)
                FILTER (WHERE r.outcome = ANY(:failures)))[1] AS failure_run,
           (array_agg(r.id ORDER BY r.finished_at DESC, r.id DESC)
                FILTER (WHERE r.outcome = ANY(:telling)))[1] AS telling_run
    FROM runs r JOIN transfers t ON t.id = r.transfer_id
    WHERE t.account_id IS NOT NULL
    GROUP BY t.account_id
), open_facts AS (
    SELECT account_id,
           count(*) FILTER (WHERE status = 'awaiting_notice') AS awaiting_notice,
           count(*) FILTER (WHERE status = 'notice_received') AS notice_received,
           count(*) FILTER (WHERE status = 'accepting') AS accepting,
           count(*) FILTER (WHERE status = 'needs_review') AS needs_review,
           min(next_attempt_at) FILTER (WHERE status = 'notice_received'
                                         AND next_attempt_at > now()) AS next_retry_at
    FROM transfers
    WHERE status IN ('awaiting_notice', 'notice_received', 'accepting', 'needs_review')
      AND account_id IS NOT NULL
    GROUP BY account_id
)
SELECT a.id, a.platform, a.site_url, a.username, a.label, a.active, a.automation_mode,
       b.open_until AS breaker_until, b.opened_at AS breaker_opened_at,
       coalesce(b.reason, '') AS breaker_reason,
       f.last_run_at, f.last_success_at,
       fr.finished_at AS failure_at, fr.outcome AS failure_outcome,
       coalesce(fr.detail, '') AS failure_detail,
       tr.finished_at AS telling_at, tr.outcome AS telling_outcome,
       coalesce(tr.detail, '') AS telling_detail,
       coalesce(o.awaiting_notice, 0) AS awaiting_notice,
       coalesce(o.notice_received, 0) AS notice_received,
       coalesce(o.accepting, 0) AS accepting, coalesce(o.needs_review, 0) AS needs_review,
       o.next_retry_at, now() AS checked_at
FROM portal_accounts a
LEFT JOIN site_breakers b
       ON b.site_url = a.site_url AND b.opened_at IS NOT NULL AND b.closed_at IS NULL
LEFT JOIN run_facts f ON f.account_id = a.id
LEFT JOIN runs fr ON fr.id = f.failure_run
LEFT JOIN runs tr ON tr.id = f.telling_run
LEFT JOIN open_facts o ON o.account_id = a.id
WHERE a.active OR :include_retired
ORDER BY a.id
""")


class AccountStatusService(Service):
    """Read every portal account's status (staff; one transaction, one query).

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        session_lifetime: how long a proven portal session is trusted (older: expired).
        min_interval: the runner's pause between two portal actions of one account.
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
        session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
        min_interval: timedelta = DEFAULT_MIN_INTERVAL,
    ) -> None:
        super().__init__(bind, actor_name, role)
        self.session_lifetime = session_lifetime
        self.min_interval = min_interval

    def statuses(self, include_retired: bool = False) -> list[AccountStatus]:
        """Every portal account's status, by account id (retired ones only when asked)."""
        params = {"success": _values(SUCCESS_OUTCOMES), "failures": _values(ACCOUNT_FAILURES),
                  "telling": _values(TELLING_OUTCOMES), "include_retired": include_retired}
        with self.transaction() as session:
            rows = session.execute(_QUERY, params).mappings().all()
        return [self._status(row) for row in rows]

    def status(self, account_id: int) -> AccountStatus | None:
        """One account's status (None when there is no such account)."""
        return next((s for s in self.statuses(include_retired=True)
                     if s.account_id == account_id), None)

    def _status(self, row: RowMapping) -> AccountStatus:
        now: datetime = row["checked_at"]
        telling = None
        if row["telling_outcome"] is not None:
            telling = TellingRun(Outcome(row["telling_outcome"]), row["telling_detail"],
                                 row["telling_at"])
        state = session_state(telling, row["last_run_at"] is not None, row["breaker_until"],
                              now, self.session_lifetime)
        since = (row["breaker_opened_at"] if state is SessionState.PAUSED_BY_BREAKER
                 else telling.finished_at if telling is not None else None)
        mode = AutomationMode(row["automation_mode"])
        may_act_at, waiting = self._next_action(row, mode, state, now)
        failure = row["failure_outcome"]
        return AccountStatus(
            account_id=row["id"], platform=row["platform"], site_url=row["site_url"],
            username=row["username"], label=row["label"], active=row["active"],
            automation_mode=mode, state=state, state_since=since,
            last_success_at=row["last_success_at"], last_failure_at=row["failure_at"],
            last_failure_outcome=None if failure is None else Outcome(failure),
            last_failure_reason=(one_line(row["failure_detail"]) or str(failure))
            if failure is not None else "",
            may_act_at=may_act_at, waiting_reason=waiting, next_retry_at=row["next_retry_at"],
            open_transfers=OpenTransfers(row["awaiting_notice"], row["notice_received"],
                                         row["accepting"], row["needs_review"]),
            checked_at=now,
        )

    def _next_action(self, row: RowMapping, mode: AutomationMode, state: SessionState,
                     now: datetime) -> tuple[datetime | None, str]:
        if not row["active"]:
            return None, "retired: automation does not use this account"
        if mode is AutomationMode.ASSISTED:
            return None, "assisted: a person accepts its transfers in their own browser"
        if state is SessionState.PAUSED_BY_BREAKER:
            until: datetime = row["breaker_until"]
            return until, (f"site paused by the circuit breaker until "
                           f"{until.astimezone(UTC):%H:%M UTC} ({row['breaker_reason']})")
        last_run: datetime | None = row["last_run_at"]
        if last_run is not None and last_run + self.min_interval > now:
            pause = self.min_interval.total_seconds()
            return last_run + self.min_interval, (f"rate limit: {pause:g} s between two "
                                                  "portal actions of one account")
        return now, ""


def _values(outcomes: frozenset[Outcome]) -> list[str]:
    return sorted(o.value for o in outcomes)
