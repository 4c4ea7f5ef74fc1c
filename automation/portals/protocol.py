"""The portal adapter protocol: what a run needs from any ticketing portal.

An adapter drives one portal site on a Playwright page. Every method either succeeds or raises
:class:`~automation.runs.outcomes.RunFailedError` with a classified outcome, or
:class:`SignInRequiredError` when the session lapsed mid-run (the runner signs in again with tracing
paused, then repeats the step), or :class:`ChallengeShownError` for a bot challenge (the runner asks
for a human takeover in the desktop; a headless worker ends with ``bot_challenge``). A block page
(profile markers ``texts.blocked``) ends the run ``blocked`` at once: TransferDesk never tries to
evade bot detection (no stealth, fingerprint patching, automation-flag removal, CAPTCHA solvers
or proxy rotation); it stops and hands the transfer to a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from playwright.async_api import Page

from automation.runs.mfa import CodeProvider


class PageKind(StrEnum):
    """What the current page is, as far as a run is concerned."""

    SIGN_IN = "sign_in"
    PASSWORD = "password"
    VERIFICATION_CODE = "verification_code"
    MY_ACCOUNT = "my_account"
    TRANSFER_PENDING = "transfer_pending"
    TRANSFER_ACCEPTED = "transfer_accepted"
    TRANSFER_DECLINED = "transfer_declined"
    TRANSFER_EXPIRED = "transfer_expired"
    TRANSFER_CANCELLED = "transfer_cancelled"
    CONFIRMATION = "confirmation"
    NOT_FOUND = "not_found"
    BOT_CHALLENGE = "bot_challenge"
    BLOCKED = "blocked"  # a block page: the site refuses automated browsers
    SERVER_ERROR = "server_error"
    LOCKED = "locked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PortalCredentials:
    """Who signs in. ``password`` comes from the keyring and is never logged or stored."""

    site_url: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class TransferTarget:
    """The transfer to accept, as the notice described it."""

    transfer_id: int
    accept_url: str | None
    transfer_ref: str | None
    event_name: str
    section: str
    row: str
    seats: tuple[str, ...]


class SignInRequiredError(Exception):
    """The portal asked to sign in again (session expired) in the middle of a step."""


class ChallengeShownError(Exception):
    """The portal put a bot challenge in front of the page; a human must pass it."""


class PortalAdapter(Protocol):
    """Drives one portal site (see :class:`automation.portals.paciolan.PaciolanAdapter`)."""

    async def ensure_signed_in(
        self, page: Page, credentials: PortalCredentials, codes: CodeProvider
    ) -> bool:
        """Sign in unless the session is still valid; True when a sign-in happened."""
        ...

    async def sign_in(
        self, page: Page, credentials: PortalCredentials, codes: CodeProvider
    ) -> None:
        """Full sign-in (email, password, keep me signed in, optional verification code)."""
        ...

    async def open_transfer(self, page: Page, target: TransferTarget) -> PageKind:
        """Open the transfer (accept link, else the pending list) and classify the page."""
        ...

    async def accept(self, page: Page, target: TransferTarget) -> None:
        """Check the seats, press Accept and wait for the confirmation."""
        ...

    async def confirm_ownership(self, page: Page, target: TransferTarget) -> None:
        """Prove the seats are in My Account (raises ``wrong_tickets`` when they are not)."""
        ...

    async def classify(self, page: Page) -> PageKind:
        """Classify the current page."""
        ...
