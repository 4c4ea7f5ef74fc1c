"""The sandbox portal's in-memory world: sites, accounts, tickets, transfers, sessions, faults.

Every public method takes one lock, so the aiohttp thread and test/admin callers on other threads
see a consistent world. Time comes from :meth:`PortalState.now`, which tests can move forward
(:meth:`PortalState.advance_clock`) to expire codes and transfers without sleeping.
:class:`Session` objects are only changed by the portal's own event-loop thread.
"""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from automation.sandbox.portal.guards import GuardState
from automation.sandbox.portal.model import (
    FAULT_NAMES,
    LAYOUTS,
    MFA_MODES,
    WORDING_KEYS,
    Account,
    Faults,
    PortalStateError,
    Session,
    SignInOutcome,
    Site,
    Ticket,
    Transfer,
    TransferState,
)

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

__all__ = [
    "Account",
    "Faults",
    "PortalState",
    "PortalStateError",
    "Session",
    "SignInOutcome",
    "Site",
    "Ticket",
    "Transfer",
    "TransferState",
]

class PortalState:
    """All sites, accounts and transfers of one sandbox portal, safe to use from any thread."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._clock_offset = timedelta()
        self.sites: dict[str, Site] = {}
        self.accounts: dict[tuple[str, str], Account] = {}
        self.transfers: dict[str, Transfer] = {}
        self.sessions: dict[str, Session] = {}
        self.challenges: dict[str, datetime] = {}
        self.humans: set[str] = set()
        self.global_faults = Faults()
        self.site_faults: dict[str, dict[str, Any]] = {}
        self.api_calls: list[str] = []  # paths of /pac-api/ calls that passed the token check
        self.guards = GuardState()  # bot-defence guards (automation/sandbox/portal/guards.py)

    # -- clock -------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Current portal time (UTC, plus any offset from :meth:`advance_clock`)."""
        return datetime.now(UTC) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move portal time forward (expires codes, transfers and locks without waiting)."""
        with self._lock:
            self._clock_offset += timedelta(seconds=seconds)

    # -- setup -------------------------------------------------------------------------------
    def add_site(self, slug: str, name: str, **options: Any) -> Site:
        """Create (or replace) a site; options: max_attempts, lock_minutes, code_ttl_seconds,
        accept_window_hours, wording (see :meth:`set_wording`)."""
        if not slug.replace("-", "").isalnum() or slug != slug.lower():
            raise PortalStateError(f"site slug must be lowercase letters, digits, '-': {slug!r}")
        with self._lock:
            site = Site(slug=slug, name=name, **options)
            self.sites[slug] = site
            return site

    def add_account(
        self, site: str, email: str, password: str, display_name: str = "", mfa: str = "off"
    ) -> Account:
        """Create (or replace) an account; ``mfa`` is off, always or new_device."""
        if mfa not in MFA_MODES:
            raise PortalStateError(f"mfa must be one of {', '.join(MFA_MODES)}: {mfa!r}")
        with self._lock:
            self.site(site)
            account = Account(site, email.lower(), password, display_name or email, mfa)
            self.accounts[(site, email.lower())] = account
            return account

    def set_wording(self, site: str, **words: str) -> dict[str, str]:
        """Change the words of the site's non-public pages (keys in ``WORDING_KEYS``)."""
        unknown = sorted(set(words) - set(WORDING_KEYS))
        if unknown:
            raise PortalStateError(f"unknown wording key(s): {', '.join(unknown)}")
        with self._lock:
            target = self.site(site)
            target.wording.update({k: str(v) for k, v in words.items()})
            return dict(target.wording)

    def site(self, slug: str) -> Site:
        """The site called ``slug``."""
        with self._lock:
            try:
                return self.sites[slug]
            except KeyError:
                raise PortalStateError(f"no such site: {slug!r}") from None

    def account(self, site: str, email: str) -> Account | None:
        """The account, or None."""
        with self._lock:
            return self.accounts.get((site, email.lower()))

    # -- faults ------------------------------------------------------------------------------
    def set_faults(self, site: str | None = None, **changes: Any) -> Faults:
        """Change fault switches globally (``site=None``) or for one site; returns the result."""
        unknown = sorted(set(changes) - set(FAULT_NAMES))
        if unknown:
            raise PortalStateError(f"unknown fault switch(es): {', '.join(unknown)}")
        if "layout" in changes and changes["layout"] not in LAYOUTS:
            raise PortalStateError(f"layout must be one of {', '.join(LAYOUTS)}")
        if int(changes.get("fee_cents", 0)) < 0:
            raise PortalStateError("fee_cents must not be negative")
        if not 0.0 <= float(changes.get("error_rate", 0.0)) <= 1.0:
            raise PortalStateError("error_rate must be between 0 and 1")
        with self._lock:
            if site is None:
                self.global_faults = replace(self.global_faults, **changes)
                return self.global_faults
            self.site(site)
            self.site_faults.setdefault(site, {}).update(changes)
            return self.faults_for(site)

    def clear_faults(self) -> None:
        """Switch every fault off, globally and on every site."""
        with self._lock:
            self.global_faults = Faults()
            self.site_faults.clear()

    def faults_for(self, site: str) -> Faults:
        """The effective faults of a site."""
        with self._lock:
            return replace(self.global_faults, **self.site_faults.get(site, {}))

    def roll_error(self, site: str) -> bool:
        """True when this request should fail with a 503 (per the site's error rate)."""
        with self._lock:
            rate = self.faults_for(site).error_rate
            return rate > 0 and self._rng.random() < rate

    # -- transfers ---------------------------------------------------------------------------
    def create_transfer(
        self,
        site: str,
        recipient_email: str,
        *,
        sender_name: str,
        sender_email: str,
        event_name: str,
        event_starts_at: datetime,
        venue: str,
        section: str,
        row: str,
        seats: tuple[str, ...] | list[str],
        expires_in_hours: float | None = None,
        wrong_seats: bool | None = None,
        fee_cents: int | None = None,
    ) -> Transfer:
        """Offer tickets to ``recipient_email`` on ``site`` and return the new transfer.

        The accept window defaults to the site's ``accept_window_hours`` (72 h or 24 h at real
        schools); the recipient fee to the site's ``fee_cents`` fault switch.
        """
        seats = tuple(str(s) for s in seats)
        if not seats:
            raise PortalStateError("a transfer needs at least one seat")
        with self._lock:
            site_row = self.site(site)
            faults = self.faults_for(site)
            if wrong_seats is None:
                wrong_seats = faults.wrong_seats
            if expires_in_hours is None:
                expires_in_hours = site_row.accept_window_hours
            delivered = tuple(_shift_seat(s) for s in seats) if wrong_seats else seats
            now = self.now()
            transfer = Transfer(
                token=new_transfer_token(),
                site=site,
                recipient_email=recipient_email.lower(),
                sender_name=sender_name,
                sender_email=sender_email,
                event_name=event_name,
                event_starts_at=event_starts_at,
                venue=venue,
                section=section,
                row=row,
                seats=seats,
                delivered_seats=delivered,
                created_at=now,
                expires_at=now + timedelta(hours=expires_in_hours),
                fee_cents=faults.fee_cents if fee_cents is None else fee_cents,
            )
            self.transfers[transfer.token] = transfer
            return transfer

    def transfer(self, token: str) -> Transfer | None:
        """The transfer (state refreshed for expiry), or None."""
        with self._lock:
            transfer = self.transfers.get(token)
            if transfer is not None and transfer.state is TransferState.PENDING:
                if self.now() >= transfer.expires_at:
                    transfer.state = TransferState.EXPIRED
            return transfer

    def require_transfer(self, token: str) -> Transfer:
        """The transfer, or :class:`PortalStateError`."""
        transfer = self.transfer(token)
        if transfer is None:
            raise PortalStateError(f"no such transfer: {token!r}")
        return transfer

    def pending_for(self, site: str, email: str) -> list[Transfer]:
        """Pending transfers offered to an account, oldest first."""
        with self._lock:
            tokens = [
                t.token
                for t in self.transfers.values()
                if t.site == site and t.recipient_email == email.lower()
            ]
            found = [self.transfer(token) for token in tokens]
            return [t for t in found if t is not None and t.state is TransferState.PENDING]

    def accept(self, token: str) -> Transfer:
        """Record an accept call; a pending transfer becomes accepted and its seats move."""
        with self._lock:
            transfer = self.require_transfer(token)
            transfer.accept_calls += 1
            if transfer.state is TransferState.PENDING:
                transfer.state = TransferState.ACCEPTED
                transfer.decided_at = self.now()
                account = self.account(transfer.site, transfer.recipient_email)
                moved = transfer.delivered_seats
                if self.faults_for(transfer.site).misdeliver:
                    moved = tuple(_shift_seat(s) for s in moved)
                if account is not None:
                    account.tickets.extend(
                        Ticket(
                            transfer.event_name,
                            transfer.event_starts_at,
                            transfer.venue,
                            transfer.section,
                            transfer.row,
                            seat,
                            transferable=not self.site(transfer.site).transfer_once,
                        )
                        for seat in moved
                    )
            return transfer

    def decline(self, token: str) -> Transfer:
        """Decline a pending transfer (other states are left as they are)."""
        return self._decide(token, TransferState.DECLINED)

    def cancel(self, token: str) -> Transfer:
        """The sender cancels a pending transfer (other states are left as they are)."""
        return self._decide(token, TransferState.CANCELLED)

    def accept_by_hand(self, token: str) -> Transfer:
        """A person accepted in their own browser (outside any guard): the admin API's stand-in."""
        return self.accept(token)

    def _decide(self, token: str, state: TransferState) -> Transfer:
        with self._lock:
            transfer = self.require_transfer(token)
            if transfer.state is TransferState.PENDING:
                transfer.state = state
                transfer.decided_at = self.now()
            return transfer

    def accept_counts(self) -> dict[str, int]:
        """Accept calls received per transfer token."""
        with self._lock:
            return {token: t.accept_calls for token, t in self.transfers.items()}

    def snapshots(self) -> list[dict[str, Any]]:
        """Every transfer as a JSON-ready dict (states refreshed)."""
        with self._lock:
            return [self.require_transfer(token).snapshot() for token in list(self.transfers)]

    def reset(self) -> None:
        """Forget transfers, sessions, received tickets and faults; keep sites and accounts."""
        with self._lock:
            self.transfers.clear()
            self.api_calls.clear()
            self.sessions.clear()
            self.challenges.clear()
            self.humans.clear()
            self.guards.reset()
            self.global_faults = Faults()
            self.site_faults.clear()
            self._clock_offset = timedelta()
            for account in self.accounts.values():
                account.tickets.clear()
                account.failed_attempts = 0
                account.locked_until = None
                account.trusted_devices.clear()

    # -- sessions and sign-in ----------------------------------------------------------------
    def new_session(self, site: str) -> Session:
        """Start an anonymous session on a site."""
        with self._lock:
            session = Session(sid=secrets.token_urlsafe(24), site=site)
            self.sessions[session.sid] = session
            return session

    def session(self, sid: str | None, site: str) -> Session | None:
        """The session with that id on that site, or None."""
        with self._lock:
            session = self.sessions.get(sid or "")
            return session if session is not None and session.site == site else None

    def drop_session(self, sid: str) -> None:
        """Forget a session (sign-out or forced expiry)."""
        with self._lock:
            self.sessions.pop(sid, None)

    def check_password(
        self, session: Session, password: str, device_id: str, keep_signed_in: bool
    ) -> SignInOutcome:
        """Check the password for the session's email; counts failures and locks the account."""
        with self._lock:
            site = self.site(session.site)
            account = self.account(session.site, session.email or "")
            now = self.now()
            if account is not None and account.locked_until is not None:
                if now < account.locked_until:
                    return SignInOutcome.LOCKED
                account.locked_until, account.failed_attempts = None, 0
            if account is None or not secrets.compare_digest(
                account.password.encode(), password.encode()
            ):
                if account is not None:
                    account.failed_attempts += 1
                    if account.failed_attempts >= site.max_attempts:
                        account.locked_until = now + timedelta(minutes=site.lock_minutes)
                        return SignInOutcome.LOCKED
                return SignInOutcome.WRONG_PASSWORD
            account.failed_attempts = 0
            session.persistent = keep_signed_in
            needs_code = account.mfa == "always" or (
                account.mfa == "new_device" and device_id not in account.trusted_devices
            )
            if needs_code:
                self.issue_code(session)
                return SignInOutcome.CODE_REQUIRED
            session.stage = "signed_in"
            return SignInOutcome.SIGNED_IN

    def issue_code(self, session: Session) -> str:
        """Give the session a fresh 6-digit code (valid for the site's code TTL) and return it."""
        with self._lock:
            site = self.site(session.site)
            session.stage = "code"
            session.code = f"{self._rng.randrange(1_000_000):06d}"
            session.code_expires_at = self.now() + timedelta(seconds=site.code_ttl_seconds)
            return session.code

    def check_code(self, session: Session, code: str, device_id: str) -> str:
        """Check a verification code: returns "ok", "wrong" or "expired"."""
        with self._lock:
            if session.code is None or session.code_expires_at is None:
                return "expired"
            if self.now() >= session.code_expires_at:
                session.code = None
                return "expired"
            if not secrets.compare_digest(session.code.encode(), code.strip().encode()):
                return "wrong"
            session.stage, session.code, session.code_expires_at = "signed_in", None, None
            account = self.account(session.site, session.email or "")
            if account is not None:
                account.trusted_devices.add(device_id)
            return "ok"

    def count_request(self, session: Session) -> bool:
        """Count a signed-in page request; False (and the session dropped) once it expired."""
        with self._lock:
            limit = self.faults_for(session.site).session_expiry_after
            session.requests += 1
            if limit and session.requests > limit:
                self.sessions.pop(session.sid, None)
                return False
            return True

    # -- bot challenge -----------------------------------------------------------------------
    def issue_challenge(self) -> str:
        """A nonce for one press-and-hold challenge."""
        with self._lock:
            nonce = secrets.token_urlsafe(12)
            self.challenges[nonce] = self.now()
            return nonce

    def pass_challenge(self, nonce: str, held_ms: int, hold_ms: int) -> str | None:
        """A "human" cookie value when the nonce is known and the hold lasted long enough."""
        with self._lock:
            issued = self.challenges.pop(nonce, None)
            if issued is None or held_ms < hold_ms:
                return None
            human = secrets.token_urlsafe(16)
            self.humans.add(human)
            return human

    def is_human(self, cookie: str | None) -> bool:
        """True when the cookie proves a passed challenge."""
        with self._lock:
            return cookie is not None and cookie in self.humans


def new_transfer_token() -> str:
    """A Paciolan-like transfer reference: 16 upper-case letters and digits (URL-safe)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(16))


def _shift_seat(seat: str) -> str:
    """A different seat for the wrong-seats fault (numeric seats move by 10)."""
    return str(int(seat) + 10) if seat.isdigit() else f"{seat}X"
