"""The sandbox portal's data: sites, accounts, tickets, transfers, sessions and fault switches."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from app.errors import KnownError

LAYOUTS = ("normal", "alternate")
MFA_MODES = ("off", "always", "new_device")


class PortalStateError(KnownError):
    """An admin call named an unknown site, account or transfer, or passed a bad value."""


class TransferState(enum.StrEnum):
    """Where a transfer stands on the portal."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class SignInOutcome(enum.StrEnum):
    """Result of a password check."""

    SIGNED_IN = "signed_in"
    CODE_REQUIRED = "code_required"
    WRONG_PASSWORD = "wrong_password"
    LOCKED = "locked"


@dataclass(frozen=True)
class Ticket:
    """One seat owned by an account."""

    event_name: str
    event_starts_at: datetime
    venue: str
    section: str
    row: str
    seat: str


@dataclass(frozen=True)
class Faults:
    """Fault switches; the effective set of a site is the global one plus its overrides.

    Attributes:
        error_rate: share (0-1) of page requests answered with a 503 page.
        latency_ms: delay added to every page request.
        session_expiry_after: a signed-in session dies after this many page requests (0 = never).
        bot_challenge: every page first shows a "press and hold" interstitial until passed.
        layout: "normal" or "alternate" (other labels, ids and structure: selector drift).
        wrong_seats: transfers created while on deliver seats other than the notice says.
    """

    error_rate: float = 0.0
    latency_ms: int = 0
    session_expiry_after: int = 0
    bot_challenge: bool = False
    layout: str = "normal"
    wrong_seats: bool = False


FAULT_NAMES = tuple(f.name for f in fields(Faults))


@dataclass
class Site:
    """One school's ticket site (path prefix ``/tickets/<slug>/``)."""

    slug: str
    name: str
    max_attempts: int = 3
    lock_minutes: int = 15
    code_ttl_seconds: int = 600


@dataclass
class Account:
    """A portal account on one site."""

    site: str
    email: str
    password: str
    display_name: str
    mfa: str = "off"
    tickets: list[Ticket] = field(default_factory=list)
    failed_attempts: int = 0
    locked_until: datetime | None = None
    trusted_devices: set[str] = field(default_factory=set)


@dataclass
class Transfer:
    """One transfer offered to a recipient; ``seats`` is what the notice says."""

    token: str
    site: str
    recipient_email: str
    sender_name: str
    sender_email: str
    event_name: str
    event_starts_at: datetime
    venue: str
    section: str
    row: str
    seats: tuple[str, ...]
    delivered_seats: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    state: TransferState = TransferState.PENDING
    accept_calls: int = 0
    decided_at: datetime | None = None

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy (datetimes as ISO strings)."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
            elif isinstance(value, tuple):
                data[key] = list(value)
        data["state"] = str(self.state)
        return data


@dataclass
class Session:
    """A browser's session on one site; ``stage`` walks email -> password -> code -> signed_in."""

    sid: str
    site: str
    stage: str = "email"
    email: str | None = None
    persistent: bool = False
    requests: int = 0
    next_url: str | None = None
    code: str | None = None
    code_expires_at: datetime | None = None
    notice: str | None = None
