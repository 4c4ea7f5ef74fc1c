"""The transfer state machine: states, run outcomes and every allowed transition, in one place.

Services call :func:`check_transition` before writing; nothing else decides what may follow what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import IllegalTransitionError


class Status(StrEnum):
    """Where a transfer stands."""

    AWAITING_NOTICE = "awaiting_notice"
    NOTICE_RECEIVED = "notice_received"
    ACCEPTING = "accepting"
    NEEDS_REVIEW = "needs_review"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"


OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED, Status.ACCEPTING, Status.NEEDS_REVIEW}
)
TERMINAL_STATUSES: frozenset[Status] = frozenset({Status.VERIFIED, Status.REJECTED, Status.EXPIRED})


class Outcome(StrEnum):
    """How one acceptance run ended (each is recorded with evidence)."""

    ACCEPTED = "accepted"
    ALREADY_ACCEPTED = "already_accepted"
    NOT_FOUND = "not_found"
    EXPIRED_ON_PORTAL = "expired_on_portal"
    CANCELLED_BY_SENDER = "cancelled_by_sender"
    WRONG_TICKETS = "wrong_tickets"
    LOGIN_FAILED = "login_failed"
    MFA_TIMEOUT = "mfa_timeout"
    BOT_CHALLENGE = "bot_challenge"
    PORTAL_ERROR = "portal_error"
    TIMEOUT = "timeout"
    SELECTOR_DRIFT = "selector_drift"
    ABORTED = "aborted"
    UNTRUSTED_LINK = "untrusted_link"  # the accept link is off the account's registered site
    UNVERIFIED = "unverified"  # accepted, but the seats could not be read
    PAYMENT_REQUIRED = "payment_required"  # the site asks the recipient to pay: never pay
    BLOCKED = "blocked"  # the site refuses automated browsers


SUCCESS_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED})
RETRYABLE_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.PORTAL_ERROR, Outcome.TIMEOUT})


class Method(StrEnum):
    """How a transfer was verified."""

    AUTO = "auto"
    MANUAL = "manual"


class EscrowStatus(StrEnum):
    """Where the buyer's hold stands (owned by the escrow service)."""

    NONE = "none"
    HELD = "held"
    CAPTURE_PENDING = "capture_pending"
    CAPTURED = "captured"
    CANCEL_PENDING = "cancel_pending"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
    FAILED = "failed"


class Role(StrEnum):
    """PostgreSQL group roles created by the migrations (least privilege)."""

    STAFF = "transferdesk_staff"
    SUPERVISOR = "transferdesk_supervisor"
    BOT = "transferdesk_bot"


class Action(StrEnum):
    """Every kind of state change; each is one service call and one audit row."""

    CREATE = "create"
    NOTICE_MATCHED = "notice_matched"
    NOTICE_CANCELLED = "notice_cancelled"
    CLAIM = "claim"
    RELEASE = "release"
    LEASE_EXPIRED = "lease_expired"
    RUN_RETRY = "run_retry"
    RUN_VERIFIED = "run_verified"
    RUN_NEEDS_REVIEW = "run_needs_review"
    MANUAL_VERIFY = "manual_verify"
    MANUAL_REJECT = "manual_reject"
    EXPIRE = "expire"
    REOPEN = "reopen"
    REASSIGN = "reassign"
    TAKEOVER = "takeover"
    ORDER_UPDATED = "order_updated"
    ORDER_CANCELLED = "order_cancelled"


@dataclass(frozen=True)
class Rule:
    """Which states an action may start from and which it may lead to."""

    sources: frozenset[Status]
    targets: frozenset[Status]
    description: str


def _s(*statuses: Status) -> frozenset[Status]:
    return frozenset(statuses)


_WAITING = _s(Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW)

#: Actions that only write an audit row and never change a transfer's state.
AUDIT_ONLY_ACTIONS: frozenset[Action] = frozenset({Action.TAKEOVER, Action.ORDER_UPDATED})

#: How a person's takeover of a run's browser ended (the takeover audit row's ``outcome``).
TAKEOVER_OUTCOMES: tuple[str, ...] = ("handed_back", "gave_up")

TRANSITIONS: dict[Action, Rule] = {
    Action.CREATE: Rule(_s(), _s(Status.AWAITING_NOTICE), "expected transfer created"),
    Action.NOTICE_MATCHED: Rule(
        _s(Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED),
        _s(Status.NOTICE_RECEIVED),
        "the portal's transfer notice was matched",
    ),
    Action.NOTICE_CANCELLED: Rule(
        _s(Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED),
        _s(Status.NEEDS_REVIEW),
        "the sender cancelled the transfer (the portal's email says so)",
    ),
    Action.CLAIM: Rule(_s(Status.NOTICE_RECEIVED), _s(Status.ACCEPTING), "claimed by a run"),
    Action.RELEASE: Rule(
        _s(Status.ACCEPTING), _s(Status.NOTICE_RECEIVED), "claim released without a run outcome"
    ),
    Action.LEASE_EXPIRED: Rule(
        _s(Status.ACCEPTING),
        _s(Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW),
        "the claimer stopped renewing its lease",
    ),
    Action.RUN_RETRY: Rule(
        _s(Status.ACCEPTING), _s(Status.NOTICE_RECEIVED), "retryable run failure"
    ),
    Action.RUN_VERIFIED: Rule(
        _s(Status.ACCEPTING), _s(Status.VERIFIED), "accepted and ownership seen"
    ),
    Action.RUN_NEEDS_REVIEW: Rule(
        _s(Status.ACCEPTING), _s(Status.NEEDS_REVIEW), "non-retryable failure or attempts exhausted"
    ),
    Action.MANUAL_VERIFY: Rule(
        frozenset(OPEN_STATUSES), _s(Status.VERIFIED), "verified by hand with evidence"
    ),
    Action.MANUAL_REJECT: Rule(
        frozenset(OPEN_STATUSES), _s(Status.REJECTED), "rejected by hand with evidence"
    ),
    Action.EXPIRE: Rule(_WAITING, _s(Status.EXPIRED), "accept window or hold lapsed"),
    Action.REOPEN: Rule(
        _s(Status.VERIFIED, Status.REJECTED, Status.EXPIRED, Status.NEEDS_REVIEW),
        _s(Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED),
        "reopened by a supervisor",
    ),
    Action.REASSIGN: Rule(
        _WAITING, _WAITING, "moved to another portal account by a supervisor"
    ),
    # Audit only: no state may move through it (check_transition always refuses).
    Action.TAKEOVER: Rule(_s(), _s(), "a person took over a run's browser (no state change)"),
    # Audit only: the marketplace changed an open order's facts (no state change).
    Action.ORDER_UPDATED: Rule(_s(), _s(), "the marketplace changed an open order's facts"),
    Action.ORDER_CANCELLED: Rule(
        _WAITING, _s(Status.REJECTED), "the marketplace withdrew the order"
    ),
}

#: Actions only a supervisor may take; manual decisions need staff (supervisors are staff too).
SUPERVISOR_ACTIONS: frozenset[Action] = frozenset({Action.REOPEN, Action.REASSIGN})
STAFF_ACTIONS: frozenset[Action] = frozenset(
    {Action.MANUAL_VERIFY, Action.MANUAL_REJECT, Action.CREATE}
)


def check_transition(action: Action, current: Status | str, target: Status | str) -> None:
    """Raise unless ``action`` may move a transfer from ``current`` to ``target``.

    Raises:
        IllegalTransitionError: with the action, both states and what would be allowed.
    """
    rule = TRANSITIONS[action]
    source, dest = Status(current), Status(target)
    if source not in rule.sources or dest not in rule.targets:
        raise IllegalTransitionError(action.value, source.value, dest.value, allowed_from(action))
    if action is Action.REASSIGN and source is not dest:
        raise IllegalTransitionError(action.value, source.value, dest.value, allowed_from(action))


def allowed_from(action: Action) -> tuple[str, ...]:
    """The states ``action`` may start from, sorted (for messages and docs)."""
    return tuple(sorted(s.value for s in TRANSITIONS[action].sources))


def outcome_action(outcome: Outcome, attempts: int, max_attempts: int) -> Action:
    """Which action a finished run leads to, given the attempts already made (this one included)."""
    if outcome in SUCCESS_OUTCOMES:
        return Action.RUN_VERIFIED
    if outcome in RETRYABLE_OUTCOMES and attempts < max_attempts:
        return Action.RUN_RETRY
    return Action.RUN_NEEDS_REVIEW


def parse_status(value: str) -> Status:
    """Parse a status name from user input (filters, CSV).

    Raises:
        UnknownValueError: not one of :class:`Status`.
    """
    from app.domain.errors import UnknownValueError

    try:
        return Status(value.strip().lower())
    except ValueError:
        raise UnknownValueError("status", value, [s.value for s in Status]) from None
