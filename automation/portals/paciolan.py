"""The Paciolan adapter: drives a Paciolan-style site with a selector profile.

Everything page-specific (labels, ids, state texts, paths) comes from the profile
(resources/portals/paciolan.toml); this module holds the flow, on :class:`PageDriver`. When no
alternative of a needed element matches, the run ends ``selector_drift`` (the runner adds the
screenshot, the sanitized page and the alarm).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page

from automation.portals import choice
from automation.portals.driver import CLASSIFY_ELEMENTS, STATE_TEXTS, PageDriver, path_of
from automation.portals.matching import pending_match
from automation.portals.ownership import OwnershipCheck
from automation.portals.profile import PortalProfile
from automation.portals.protocol import (
    PageKind,
    PortalCredentials,
    SignInRequiredError,
    TransferTarget,
)
from automation.runs.mfa import CodeProvider
from automation.runs.outcomes import Outcome, RunFailedError

__all__ = ["CLASSIFY_ELEMENTS", "STATE_TEXTS", "PaciolanAdapter"]

log = logging.getLogger(__name__)

SIGN_IN_KINDS = frozenset({PageKind.SIGN_IN, PageKind.PASSWORD, PageKind.VERIFICATION_CODE})


class PaciolanAdapter(PageDriver):
    """A Paciolan site (``site_url`` like ``https://host/tickets/<school>``) driven by a profile.

    Args:
        profile: the selector profile (with ``candidates``: the fallback when none matches).
        site_url: the site's base URL (no trailing slash needed).
        find_timeout: seconds to wait for an element before declaring drift.
        candidates: profiles to choose from by their sign-in markers at the first sign-in
            (:mod:`automation.portals.choice`); empty: ``profile`` is the account's choice.
    """

    def __init__(self, profile: PortalProfile, site_url: str, find_timeout: float = 3.0,
                 candidates: Sequence[PortalProfile] = ()) -> None:
        super().__init__(profile, site_url, find_timeout)
        self.candidates = tuple(candidates)
        self.detected: str | None = None  # the profile detection chose (None: not detected)
        self._code_wanted_after = datetime.now(UTC) - timedelta(minutes=1)

    # -- sign-in ---------------------------------------------------------------------------

    def use_profile(self, profile: PortalProfile) -> None:
        """Drive the site with ``profile`` (the account's recorded choice): no detection."""
        self.profile, self.candidates = profile, ()

    async def choose_profile(self, page: Page) -> PortalProfile:
        """Pick the candidate whose sign-in markers match the site (once; then fixed)."""
        if self.candidates:
            found = await choice.detect(page, self.site_url, list(self.candidates))
            self.candidates = ()
            if found is not None:
                self.profile, self.detected = found, found.name
                choice.remember(self.site_url, found.name)
            log.info("portal profile for %s: %s (%s)", self.site_url, self.profile.name,
                     "detected" if found else "no profile matched: the default")
        return self.profile

    async def ensure_signed_in(
        self, page: Page, credentials: PortalCredentials, codes: CodeProvider
    ) -> bool:
        """Open My Account; sign in only when the portal asks. True when it signed in."""
        await self.choose_profile(page)
        await self.goto(page, self.url("my_account", "account"))
        kind = await self._classify_strict(page)
        if kind is PageKind.MY_ACCOUNT:
            return False
        if kind in SIGN_IN_KINDS:
            await self.sign_in(page, credentials, codes)
            return True
        if kind is PageKind.LOCKED:
            raise RunFailedError(Outcome.LOGIN_FAILED, "the portal account is locked")
        await self.find(page, "account_marker")  # raises selector_drift
        return False

    async def sign_in(
        self, page: Page, credentials: PortalCredentials, codes: CodeProvider
    ) -> None:
        """Email, Continue, password, keep me signed in, Sign In, then a code if asked.

        A one-step form (email and password on one page, as on eVenue) is filled in one go.
        """
        await self.choose_profile(page)
        kind = await self._classify_strict(page)
        if kind is not PageKind.SIGN_IN:
            await self.goto(page, self.url("sign_in", "signin"))
            kind = await self._classify_strict(page)
        if kind is PageKind.MY_ACCOUNT:
            return
        if kind is PageKind.SIGN_IN:
            await self.clear_overlay(page)
            email = await self.find(page, "email_field")
            assert email is not None
            await email.fill(credentials.username)
            button = await self.find(page, "continue_button")
            assert button is not None
            await self.submit(page, button.click)
            kind = await self._classify_strict(page, leaving=PageKind.SIGN_IN)
        if kind is PageKind.PASSWORD:
            kind = await self._enter_password(page, credentials)
        if kind is PageKind.VERIFICATION_CODE:
            kind = await self._enter_code(page, credentials, codes)
        if kind is PageKind.LOCKED:
            raise RunFailedError(Outcome.LOGIN_FAILED, "the portal account is locked")
        if kind in SIGN_IN_KINDS:
            raise RunFailedError(Outcome.LOGIN_FAILED, await self._error_text(page))

    async def _enter_password(self, page: Page, credentials: PortalCredentials) -> PageKind:
        email = await self.find(page, "email_field", required=False)
        if email is not None and not await email.input_value():
            await email.fill(credentials.username)  # a one-step sign-in form
        password = await self.find(page, "password_field")
        assert password is not None
        await password.fill(credentials.password)
        keep = await self.find(page, "keep_signed_in", required=False)
        if keep is not None:
            await keep.check()
        self._code_wanted_after = datetime.now(UTC) - timedelta(seconds=5)
        button = await self.find(page, "sign_in_button")
        assert button is not None
        await self.submit(page, button.click)
        kind = await self._classify_strict(page, leaving=PageKind.PASSWORD)
        if kind is PageKind.PASSWORD:
            raise RunFailedError(Outcome.LOGIN_FAILED, await self._error_text(page))
        return kind

    async def _enter_code(
        self, page: Page, credentials: PortalCredentials, codes: CodeProvider
    ) -> PageKind:
        since = self._code_wanted_after
        code = await codes.get_code(credentials.username, since)
        if not code:
            raise RunFailedError(Outcome.MFA_TIMEOUT,
                                 "no verification code arrived (mailbox and operator)")
        field = await self.find(page, "code_field")
        assert field is not None
        await field.fill(code)
        button = await self.find(page, "submit_code_button")
        assert button is not None
        await self.submit(page, button.click)
        kind = await self._classify_strict(page, leaving=PageKind.VERIFICATION_CODE)
        if kind is PageKind.VERIFICATION_CODE:
            raise RunFailedError(Outcome.LOGIN_FAILED,
                                 "the portal refused the verification code: "
                                 + await self._error_text(page))
        return kind

    async def _error_text(self, page: Page) -> str:
        alert = await self.find(page, "error_message", required=False)
        if alert is None:
            return "sign-in did not complete"
        return (await alert.inner_text()).strip()[:200]

    # -- the transfer ----------------------------------------------------------------------

    async def open_transfer(self, page: Page, target: TransferTarget) -> PageKind:
        """Open by accept link (or the profile's transfer path), else from the pending list."""
        if target.accept_url:
            await self.goto(page, target.accept_url)
        elif target.transfer_ref and self.profile.path("transfer"):
            await self.goto(page, self.url("transfer", "", ref=target.transfer_ref))
        else:
            await self._open_from_pending(page, target)
        return await self._after_open(page, target)

    async def _after_open(self, page: Page, target: TransferTarget) -> PageKind:
        kind = await self._classify_strict(page)
        if kind is PageKind.MY_ACCOUNT:  # the account's frame first, the transfer rendered late
            kind = await self._classify_strict(page, leaving=PageKind.MY_ACCOUNT)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        if kind is PageKind.MY_ACCOUNT and await self.present(page, "pending_list"):
            await self._open_pending_item(page, target)  # the link opened the pending list
            kind = await self._classify_strict(page)
        if kind in (PageKind.UNKNOWN, PageKind.MY_ACCOUNT):
            await self.find(page, "accept_button")  # raises selector_drift
        return kind

    async def _open_from_pending(self, page: Page, target: TransferTarget) -> None:
        await self.goto(page, self.url("my_account", "account"))
        kind = await self._classify_strict(page)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        await self.find(page, "pending_list")
        await self._open_pending_item(page, target)

    async def _open_pending_item(self, page: Page, target: TransferTarget) -> None:
        """Open the one pending transfer that is the target's (by reference, else event and
        the seats where the list shows them); none or several: not found, for a person."""
        await self.find(page, "pending_item")  # waits for a list rendered late
        items, texts = await self._all(page, "pending_item")
        chosen = pending_match(texts, target)
        if chosen is None:
            raise RunFailedError(Outcome.NOT_FOUND, "the transfer is not in the pending list "
                                 f"({len(texts)} pending, none or several match)")
        link = await self._within(items[chosen], "pending_open")
        await self.submit(page, link.click)

    async def accept(self, page: Page, target: TransferTarget) -> None:
        """Check the seats shown, press Accept, and wait for the confirmation.

        The page :meth:`open_transfer` just classified is not classified again.
        """
        kind = self.seen_kind(page)
        if kind is None:
            kind = await self.classify(page)
        if kind is not PageKind.TRANSFER_PENDING:
            kind = await self.open_transfer(page, target)
            if kind in (PageKind.TRANSFER_ACCEPTED, PageKind.CONFIRMATION):
                return
            if kind is not PageKind.TRANSFER_PENDING:
                raise RunFailedError(Outcome.PORTAL_ERROR, f"transfer page shows {kind.value}")
        shown = await self._shown_seats(page)
        if shown is not None and set(shown) != set(target.seats):
            raise RunFailedError(
                Outcome.WRONG_TICKETS,
                f"the portal offers seats {', '.join(shown)}; expected {', '.join(target.seats)}",
            )
        await self.clear_overlay(page)
        await self._refuse_payment(page)
        terms = await self.find(page, "terms_checkbox", required=False)
        if terms is not None and not await terms.is_checked():
            await terms.check()  # the site's own terms box, required before Accept
        button = await self.find(page, "accept_button")
        assert button is not None
        await self.submit(page, button.click)
        kind = await self._after_accept(page)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        if kind not in (PageKind.CONFIRMATION, PageKind.TRANSFER_ACCEPTED):
            await self.find(page, "confirmation")  # raises selector_drift
            raise RunFailedError(Outcome.PORTAL_ERROR, f"after Accept the page is {kind.value}")

    async def _after_accept(self, page: Page) -> PageKind:
        """What Accept led to: a confirm dialog is confirmed (its own button), a payment step
        ends the run, else the first page state other than the pending transfer."""
        deadline = time.monotonic() + self.settle_timeout
        confirmed = 0
        while True:
            await self._refuse_payment(page)
            confirm = await self.find(page, "confirm_dialog_button", required=False)
            if confirm is not None and confirmed < 2:
                confirmed += 1
                await self.submit(page, confirm.click)
                continue
            kind = await self._classify_strict(page)
            if kind not in (PageKind.UNKNOWN, PageKind.TRANSFER_PENDING):
                return kind
            if time.monotonic() >= deadline:
                return kind
            await asyncio.sleep(0.1)

    async def _refuse_payment(self, page: Page) -> None:
        """Never pay: an amount due or a payment form ends the run here, nothing clicked."""
        text = await self.page_text(page)
        if self.has_marker(text, "payment_due") or await self.present(page, "payment_form"):
            due = (re.search(r"(?:total|due)\b[^$\n]*(\$\s?\d[\d,]*(?:\.\d{2})?)", text)
                   or re.search(r"(\$\s?\d[\d,]*(?:\.\d{2})?)", text))
            raise RunFailedError(
                Outcome.PAYMENT_REQUIRED,
                f"the portal asks the recipient to pay{' ' + due.group(1) if due else ''} "
                f"on {path_of(page.url)}; nothing was paid or clicked past it")

    async def _shown_seats(self, page: Page) -> list[str] | None:
        element = await self.find(page, "transfer_seats", required=False)
        if element is None:
            return None
        text = (await element.inner_text()).strip()
        text = re.sub(r"^\s*seats?\s*:?\s*", "", text, flags=re.IGNORECASE)
        return [s for s in re.split(r"[,\s]+", text) if s]

    async def confirm_ownership(self, page: Page, target: TransferTarget) -> None:
        """The expected seats must be in the account (API first, then My Account): see
        :mod:`automation.portals.ownership`."""
        await OwnershipCheck(self, page, target).run()
