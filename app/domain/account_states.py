"""What a portal account's recorded runs say about it: its session state and when it may act.

Owns the account-state vocabulary (:class:`SessionState`, :class:`AutomationMode`), the
frozen :class:`AccountStatus` the desk's accounts view shows, and the pure rule
:func:`session_state` that derives the state from the facts the database records (runs and
their outcomes, the site's circuit breaker). :mod:`app.services.account_status` gathers those
facts in one query. docs/metrics.md defines each state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.states import Outcome


class SessionState(StrEnum):
    """Where an account's portal session stands, as its runs tell it."""

    SIGNED_IN = "signed_in"
    SESSION_EXPIRED = "session_expired"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED = "locked"
    BLOCKED_BY_SITE = "blocked_by_site"
    PAUSED_BY_BREAKER = "paused_by_breaker"
    NEVER_SIGNED_IN = "never_signed_in"
    UNKNOWN = "unknown"


class AutomationMode(StrEnum):
    """``portal_accounts.automation_mode``: automate the site, or never (a person accepts)."""

    AUTOMATIC = "automatic"
    ASSISTED = "assisted"


#: Outcomes the portal gives only to a signed-in session: they prove the sign-in worked.
SIGNED_IN_OUTCOMES: frozenset[Outcome] = frozenset({
    Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED, Outcome.NOT_FOUND, Outcome.EXPIRED_ON_PORTAL,
    Outcome.CANCELLED_BY_SENDER, Outcome.WRONG_TICKETS, Outcome.UNVERIFIED,
    Outcome.PAYMENT_REQUIRED,
})
#: Outcomes that say the sign-in itself did not work.
SIGN_IN_FAILURES: frozenset[Outcome] = frozenset({Outcome.LOGIN_FAILED, Outcome.MFA_TIMEOUT})
#: Outcomes that tell the session state (the newest of them decides it).
TELLING_OUTCOMES: frozenset[Outcome] = SIGNED_IN_OUTCOMES | SIGN_IN_FAILURES | {Outcome.BLOCKED}
#: Outcomes that are the account's or its site's trouble (not one transfer's): "last failure".
ACCOUNT_FAILURES: frozenset[Outcome] = SIGN_IN_FAILURES | frozenset({
    Outcome.BLOCKED, Outcome.BOT_CHALLENGE, Outcome.PORTAL_ERROR, Outcome.TIMEOUT,
    Outcome.SELECTOR_DRIFT,
})
#: What the runner records when the portal shows its account-locked page (automation/portals).
LOCKED_PHRASE = "account is locked"
#: How long a proven portal session is trusted to last ("keep me signed in"), by default.
DEFAULT_SESSION_LIFETIME = timedelta(hours=12)
#: The runner's default pause between two portal actions of one account (worker --min-interval).
DEFAULT_MIN_INTERVAL = timedelta(seconds=0.25)


@dataclass(frozen=True)
class OpenTransfers:
    """An account's transfers that are not decided yet, by status."""

    awaiting_notice: int = 0
    notice_received: int = 0
    accepting: int = 0
    needs_review: int = 0

    @property
    def total(self) -> int:
        """Every open transfer of the account."""
        return self.awaiting_notice + self.notice_received + self.accepting + self.needs_review


@dataclass(frozen=True)
class AccountStatus:
    """One portal account at a glance (the desk's accounts view).

    Attributes:
        state: the session state (see :func:`session_state`).
        state_since: when the run (or breaker) that decided the state happened; None for
            never_signed_in / unknown.
        last_success_at: the newest run that accepted a transfer (accepted, already_accepted).
        last_failure_at, last_failure_outcome, last_failure_reason: the newest run that ended
            in an account-level failure (:data:`ACCOUNT_FAILURES`), its reason on one line.
        may_act_at: the earliest time automation may act for the account (breaker pause,
            rate limit); None when it never does (assisted, or retired).
        waiting_reason: one line saying why it waits ("" when it may act now).
        next_retry_at: the earliest backoff of its transfers waiting to be retried.
        open_transfers: its undecided transfers by status.
    """

    account_id: int
    platform: str
    site_url: str
    username: str
    label: str
    active: bool
    automation_mode: AutomationMode
    state: SessionState
    state_since: datetime | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure_outcome: Outcome | None
    last_failure_reason: str
    may_act_at: datetime | None
    waiting_reason: str
    next_retry_at: datetime | None
    open_transfers: OpenTransfers
    checked_at: datetime


@dataclass(frozen=True)
class TellingRun:
    """The newest run whose outcome tells the session state."""

    outcome: Outcome
    detail: str
    finished_at: datetime


def session_state(telling: TellingRun | None, has_runs: bool, breaker_until: datetime | None,
                  now: datetime, lifetime: timedelta = DEFAULT_SESSION_LIFETIME) -> SessionState:
    """The session state from the newest telling run and the site's breaker.

    An open breaker (its pause ahead of ``now``) wins; else the newest telling run decides:
    a signed-in outcome within ``lifetime`` is signed_in (older: session_expired), a sign-in
    failure is locked when the portal said the account is locked (else sign_in_failed), and
    ``blocked`` is blocked_by_site. No telling run: never_signed_in without any run, else
    unknown (only runs that say nothing of the session, e.g. portal errors).
    """
    if breaker_until is not None and breaker_until > now:
        return SessionState.PAUSED_BY_BREAKER
    if telling is None:
        return SessionState.UNKNOWN if has_runs else SessionState.NEVER_SIGNED_IN
    if telling.outcome in SIGNED_IN_OUTCOMES:
        fresh = now - telling.finished_at <= lifetime
        return SessionState.SIGNED_IN if fresh else SessionState.SESSION_EXPIRED
    if telling.outcome in SIGN_IN_FAILURES:
        locked = LOCKED_PHRASE in telling.detail.lower()
        return SessionState.LOCKED if locked else SessionState.SIGN_IN_FAILED
    return SessionState.BLOCKED_BY_SITE


def one_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text``, at most ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
