"""The sandbox portal's data: sites, accounts, tickets, transfers, sessions and fault switches."""

from __future__ import annotations

import enum
import hashlib
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from app.errors import KnownError

#: "normal"/"alternate": the sandbox's own test layouts (sandbox-only profiles);
#: "modern": Paciolan's Next.js My Account; "legacy": eVenue ncommerce3 (both from public facts).
LAYOUTS = ("normal", "alternate", "modern", "legacy")
#: Per-site words of the pages nothing public describes (accept page, confirmation, states).
WORDING_KEYS = ("accept_label", "decline_label", "transfer_heading", "accepted_heading",
                "declined_heading", "already_accepted", "expired", "cancelled", "declined",
                "fee_notice")
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
    transferable: bool = True  # False on a site where a ticket may be transferred only once


@dataclass(frozen=True)
class Faults:
    """Fault switches; the effective set of a site is the global one plus its overrides.

    Attributes:
        error_rate: share (0-1) of page requests answered with a 503 page.
        latency_ms: delay added to every page request.
        session_expiry_after: a signed-in session dies after this many page requests (0 = never).
        bot_challenge: every page first shows a "press and hold" interstitial until passed.
        layout: one of :data:`LAYOUTS` (another layout than the profile's: selector drift).
        wrong_seats: transfers created while on deliver seats other than the notice says.
        misdeliver: the accept page shows the notice's seats, but My Account receives others.
        seats_unreadable: neither the account API nor My Account shows seat numbers.
        api_down: the ``/pac-api/`` endpoints answer 503 (runs fall back to the page).
        fee_cents: the recipient must pay this transfer fee at acceptance (0 = none).
        automation_guard: refuse every request from a browser that reports itself as automated
            (``navigator.webdriver``, read by a script the guard serves; then a cookie is needed).
        hold_guard: a "Press & Hold" block page that never clears in an automated browser.
        rate_limit_requests: refuse an account after this many requests (0 = no rate guard)...
        rate_limit_seconds: ...within this many seconds.
    """

    error_rate: float = 0.0
    latency_ms: int = 0
    session_expiry_after: int = 0
    bot_challenge: bool = False
    layout: str = "normal"
    wrong_seats: bool = False
    misdeliver: bool = False
    seats_unreadable: bool = False
    api_down: bool = False
    fee_cents: int = 0
    automation_guard: bool = False
    hold_guard: bool = False
    rate_limit_requests: int = 0
    rate_limit_seconds: float = 60.0


FAULT_NAMES = tuple(f.name for f in fields(Faults))


@dataclass
class Site:
    """One school's ticket site (path prefix ``/tickets/<slug>/``)."""

    slug: str
    name: str
    max_attempts: int = 3
    lock_minutes: int = 15
    code_ttl_seconds: int = 600
    accept_window_hours: float = 72.0
    transfer_once: bool = False  # received tickets may not be transferred on (some schools)
    wording: dict[str, str] = field(default_factory=dict)
    patron_base: int = 480000


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
    fee_cents: int = 0

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
    authz: str = field(default_factory=lambda: str(uuid.uuid4()))


def event_codes(event_name: str, starts_at: datetime) -> tuple[str, str]:
    """Paciolan-like season and event codes of an event (``FB26``, ``E1A2B``), stable."""
    digest = hashlib.sha256(event_name.encode()).hexdigest()[:4].upper()
    return f"FB{starts_at.year % 100:02d}", f"E{digest}"


def transfer_seat_id(patron: int, event_code: str, ticket: Ticket) -> str:
    """``^``-separated like the real API: 3rd ``LEVEL:SECTION``, 4th ``ROW``, 5th ``SEAT``."""
    return f"{patron}^{event_code}^LL:{ticket.section}^{ticket.row}^{ticket.seat}^0"
