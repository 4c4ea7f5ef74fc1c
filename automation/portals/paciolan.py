"""The Paciolan adapter: drives a Paciolan-style site with a selector profile.

Everything page-specific (labels, ids, state texts, paths) comes from the profile
(resources/portals/paciolan.toml); this module holds the flow. When no alternative of a needed
element matches, the run ends ``selector_drift`` (the runner adds the screenshot and the alarm).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Locator, Page, Response

from automation.portals import choice
from automation.portals.ownership import OwnershipCheck
from automation.portals.profile import PortalProfile
from automation.portals.protocol import (
    ChallengeShownError,
    PageKind,
    PortalCredentials,
    SignInRequiredError,
    TransferTarget,
)
from automation.runs.mfa import CodeProvider
from automation.runs.outcomes import Outcome, RunFailedError

log = logging.getLogger(__name__)

#: Page states recognised by text, in the order they are checked.
STATE_TEXTS: tuple[tuple[str, PageKind], ...] = (
    ("locked", PageKind.LOCKED),
    ("already_accepted", PageKind.TRANSFER_ACCEPTED),
    ("expired", PageKind.TRANSFER_EXPIRED),
    ("cancelled", PageKind.TRANSFER_CANCELLED),
    ("declined", PageKind.TRANSFER_DECLINED),
    ("wrong_account", PageKind.NOT_FOUND),
)
SIGN_IN_KINDS = frozenset({PageKind.SIGN_IN, PageKind.PASSWORD, PageKind.VERIFICATION_CODE})
#: Elements :meth:`PaciolanAdapter.classify` looks for (all checked at once, then in order).
CLASSIFY_ELEMENTS = ("bot_challenge", "code_field", "password_field", "email_field",
                     "accept_button", "confirmation", "account_marker")


class PaciolanAdapter:
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
        self.profile = profile
        self.candidates = tuple(candidates)
        self.detected: str | None = None  # the profile detection chose (None: not detected)
        self.site_url = site_url.rstrip("/")
        self.find_timeout = find_timeout
        self._last_status: int | None = None
        self._seen: tuple[Page, str, PageKind] | None = None  # the last classification
        self._code_wanted_after = datetime.now(UTC) - timedelta(minutes=1)

    # -- navigation helpers ----------------------------------------------------------------

    def url(self, key: str, default: str, **values: str) -> str:
        """Absolute URL of a profile path."""
        path = self.profile.path(key, default).format(**values)
        return path if path.startswith("http") else f"{self.site_url}/{path.lstrip('/')}"

    async def goto(self, page: Page, url: str) -> None:
        """Navigate and remember the HTTP status for :meth:`classify`."""
        self._seen = None
        response = await page.goto(url, wait_until="load")
        self._last_status = response.status if response is not None else None

    async def submit(self, page: Page, action: Callable[[], Awaitable[Any]]) -> None:
        """Run ``action`` (a click that submits a form) and wait for the next page."""
        self._seen = None
        async with page.expect_navigation(wait_until="load") as info:
            await action()
        response: Response | None = await info.value
        self._last_status = response.status if response is not None else None

    async def find(self, page: Page, element: str, required: bool = True) -> Locator | None:
        """The first visible match of ``element``'s alternatives, polling briefly.

        One browser round trip per alternative tried (``is_visible`` is False when nothing
        matches, so no separate count).

        Raises:
            RunFailedError: selector_drift when required and nothing matched.
        """
        specs = self.profile.specs(element)
        deadline = time.monotonic() + (self.find_timeout if required else 0)
        while True:
            for spec in specs:
                locator = spec.resolve(page).first
                if await locator.is_visible():
                    return locator
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.1)
        if not required:
            return None
        tried = "; ".join(s.describe() for s in specs) or "no alternatives in the profile"
        log.error("selector drift on %s: %s not found (tried %s)", page.url, element, tried)
        raise RunFailedError(
            Outcome.SELECTOR_DRIFT,
            f"{element} not found on {_path_of(page.url)} with profile {self.profile.name} "
            f"(tried {tried})",
        )

    async def present(self, page: Page, element: str) -> bool:
        """True when ``element`` is on the page now (no waiting)."""
        return await self.find(page, element, required=False) is not None

    async def visible_elements(self, page: Page, elements: tuple[str, ...]) -> set[str]:
        """Which of ``elements`` are on the page now, in one concurrent read per element.

        An element is there when the first match of one of its alternatives is visible (as in
        :meth:`find`): the alternatives' first matches are joined and filtered to the visible
        ones, so each element costs one count, and all counts share one round trip's latency.
        """
        probes: list[tuple[str, Locator]] = []
        for element in elements:
            specs = self.profile.specs(element)
            if not specs:
                continue
            either = specs[0].resolve(page).first
            for spec in specs[1:]:
                either = either.or_(spec.resolve(page).first)
            probes.append((element, either.filter(visible=True)))
        counts = await asyncio.gather(*(probe.count() for _, probe in probes))
        return {element for (element, _), n in zip(probes, counts, strict=True) if n}

    async def page_text(self, page: Page) -> str:
        """The visible text of the page (the body's ``innerText``), lower-cased."""
        try:
            text = await page.evaluate("() => document.body ? document.body.innerText : ''")
        except Exception:  # no page to read (a download, a navigation under way)
            return ""
        return text.lower() if isinstance(text, str) else ""

    def has_marker(self, text: str, key: str) -> bool:
        """True when one of the profile's ``texts.<key>`` markers is in ``text``."""
        return any(marker in text for marker in self.profile.markers(key))

    # -- classification --------------------------------------------------------------------

    async def classify(self, page: Page) -> PageKind:
        """What the current page is (see :class:`PageKind`).

        The page's text and every element are read at once; the decision order below is
        unchanged by that (first match wins).
        """
        text, shown = await asyncio.gather(
            self.page_text(page), self.visible_elements(page, CLASSIFY_ELEMENTS))
        kind = self._decide(text, shown)
        self._seen = (page, page.url, kind)
        return kind

    def _decide(self, text: str, shown: set[str]) -> PageKind:
        if "bot_challenge" in shown or self.has_marker(text, "bot_challenge"):
            return PageKind.BOT_CHALLENGE
        status = self._last_status or 200
        if status >= 500 or self.has_marker(text, "server_error"):
            return PageKind.SERVER_ERROR
        for key, kind in STATE_TEXTS[:1]:
            if self.has_marker(text, key):
                return kind
        if "code_field" in shown:
            return PageKind.VERIFICATION_CODE
        if "password_field" in shown:
            return PageKind.PASSWORD
        if "email_field" in shown:
            return PageKind.SIGN_IN
        if "accept_button" in shown:
            return PageKind.TRANSFER_PENDING
        for key, kind in STATE_TEXTS[1:]:
            if self.has_marker(text, key):
                return kind
        if "confirmation" in shown:
            return PageKind.CONFIRMATION
        if status == 404 or self.has_marker(text, "not_found"):
            return PageKind.NOT_FOUND
        if "account_marker" in shown:
            return PageKind.MY_ACCOUNT
        return PageKind.UNKNOWN

    def seen_kind(self, page: Page) -> PageKind | None:
        """The classification of ``page`` if it has not navigated since (else None)."""
        if self._seen is None:
            return None
        seen_page, url, kind = self._seen
        return kind if seen_page is page and url == page.url else None

    async def _classify_strict(self, page: Page) -> PageKind:
        """Classify; a challenge or server error interrupts the step."""
        kind = await self.classify(page)
        if kind is PageKind.BOT_CHALLENGE:
            raise ChallengeShownError()
        if kind is PageKind.SERVER_ERROR:
            raise RunFailedError(Outcome.PORTAL_ERROR,
                                 f"the portal answered HTTP {self._last_status} on "
                                 f"{_path_of(page.url)}")
        return kind

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
            email = await self.find(page, "email_field")
            assert email is not None
            await email.fill(credentials.username)
            button = await self.find(page, "continue_button")
            assert button is not None
            await self.submit(page, button.click)
            kind = await self._classify_strict(page)
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
        kind = await self._classify_strict(page)
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
        kind = await self._classify_strict(page)
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
        return await self._after_open(page)

    async def _after_open(self, page: Page) -> PageKind:
        kind = await self._classify_strict(page)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        if kind in (PageKind.UNKNOWN, PageKind.MY_ACCOUNT):
            await self.find(page, "accept_button")  # raises selector_drift
        return kind

    async def _open_from_pending(self, page: Page, target: TransferTarget) -> None:
        await self.goto(page, self.url("my_account", "account"))
        kind = await self._classify_strict(page)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        await self.find(page, "pending_list")
        items, texts = await self._all(page, "pending_item")
        for item, text in zip(items, texts, strict=True):
            if _mentions(text, target):
                link = await self._within(item, "pending_open")
                await self.submit(page, link.click)
                return
        raise RunFailedError(Outcome.NOT_FOUND, "the transfer is not in the pending list")

    async def classify_strict(self, page: Page) -> PageKind:
        """Classify; a challenge or server error interrupts the step (see ``classify``)."""
        return await self._classify_strict(page)

    async def all_matches(self, page: Page, element: str) -> tuple[list[Locator], list[str]]:
        """Every match of the first alternative of ``element`` that matches, with texts."""
        return await self._all(page, element)

    async def _all(self, page: Page, element: str) -> tuple[list[Locator], list[str]]:
        """Every match of the first alternative that matches, with their texts (one read)."""
        for spec in self.profile.specs(element):
            locator = spec.resolve(page)
            texts = await locator.all_inner_texts()
            if texts:
                return [locator.nth(i) for i in range(len(texts))], texts
        return [], []

    async def _within(self, scope: Locator, element: str) -> Locator:
        for spec in self.profile.specs(element):
            if spec.kind == "role":
                loc = scope.get_by_role(spec.value, name=spec.name)  # type: ignore[arg-type]
            elif spec.kind == "text":
                loc = scope.get_by_text(spec.value, exact=spec.exact)
            else:
                loc = scope.locator(spec.value)
            if await loc.count():
                return loc.first
        raise RunFailedError(Outcome.SELECTOR_DRIFT, f"{element} not found in the pending list")

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
        await self._refuse_payment(page)
        button = await self.find(page, "accept_button")
        assert button is not None
        await self.submit(page, button.click)
        await self._refuse_payment(page)
        kind = await self._classify_strict(page)
        if kind in SIGN_IN_KINDS:
            raise SignInRequiredError()
        if kind not in (PageKind.CONFIRMATION, PageKind.TRANSFER_ACCEPTED):
            await self.find(page, "confirmation")  # raises selector_drift
            raise RunFailedError(Outcome.PORTAL_ERROR, f"after Accept the page is {kind.value}")

    async def _refuse_payment(self, page: Page) -> None:
        """Never pay: an amount due or a payment form ends the run here, nothing clicked."""
        text = await self.page_text(page)
        if self.has_marker(text, "payment_due") or await self.present(page, "payment_form"):
            due = re.search(r"\$\s?\d[\d,]*(?:\.\d{2})?", text)
            raise RunFailedError(
                Outcome.PAYMENT_REQUIRED,
                f"the portal asks the recipient to pay{' ' + due.group(0) if due else ''} "
                f"on {_path_of(page.url)}; nothing was paid or clicked past it")

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


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,·|:;]+", text.lower()) if t]


def _mentions(text: str, target: TransferTarget) -> bool:
    if target.transfer_ref and target.transfer_ref in text:
        return True
    tokens = _tokens(text)
    return (target.event_name.lower() in text.lower()
            and all(seat.lower() in tokens for seat in target.seats))


def _path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url) or "/"
