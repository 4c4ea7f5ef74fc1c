"""The page driver under every portal adapter: find profile elements, navigate, classify.

:class:`PageDriver` holds what is generic over any selector profile (polling finds that end in
``selector_drift``, one-round-trip visibility checks, page-state classification from elements
and text markers); the Paciolan flow is in :mod:`automation.portals.paciolan`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Frame, Locator, Page, Response

from automation.portals.profile import PortalProfile
from automation.portals.protocol import ChallengeShownError, PageKind
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
#: Elements :meth:`PageDriver.classify` looks for (all checked at once, then in order).
CLASSIFY_ELEMENTS = ("bot_challenge", "code_field", "password_field", "email_field",
                     "accept_button", "confirmation", "account_marker")


_REFERENCE = re.compile(
    r"(?:reference|incident|support|request) (?:id|number|#):?\s*([0-9a-z][0-9a-z-]{3,63})")


def blocked_failure(text: str, url: str) -> RunFailedError:
    """The ``blocked`` outcome for a block page, naming its reference id when it shows one.

    Never retried and never worked around (no stealth, no flag removal): a person takes over
    in their own browser.
    """
    match = _REFERENCE.search(text)
    reference = f" (reference id {match.group(1)})" if match else ""
    return RunFailedError(Outcome.BLOCKED,
                          f"the portal refuses automated browsers on {path_of(url)}{reference}")


class PageDriver:
    """Profile-driven page access for one site.

    Args:
        profile: the selector profile.
        site_url: the site's base URL (no trailing slash needed).
        find_timeout: seconds to wait for an element before declaring drift.
    """

    def __init__(self, profile: PortalProfile, site_url: str, find_timeout: float = 3.0) -> None:
        self.profile = profile
        self.site_url = site_url.rstrip("/")
        self.find_timeout = find_timeout
        self.settle_timeout = max(10.0, find_timeout)  # how long an action may take to show
        self._last_status: int | None = None
        self._seen: tuple[Page, str, PageKind] | None = None  # the last classification

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
        """Run ``action`` (a click) and wait for what it causes: a new page, loaded, or (a
        single-page app, a modal) a change of the page's text or address.

        Returns after :attr:`settle_timeout` seconds when nothing changed; the caller's
        classification (:meth:`settled_kind`) then decides what the page is.
        """
        self._seen = None
        navigated = asyncio.Event()

        def on_navigation(frame: Frame) -> None:
            if frame == page.main_frame:
                navigated.set()

        def on_response(response: Response) -> None:
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                self._last_status = response.status

        page.on("framenavigated", on_navigation)
        page.on("response", on_response)
        try:
            before = await self._mark(page)
            await action()
            deadline = time.monotonic() + self.settle_timeout
            while not navigated.is_set() and time.monotonic() < deadline:
                if await self._mark(page) != before:
                    break
                with contextlib.suppress(TimeoutError):  # a navigation ends the wait at once
                    await asyncio.wait_for(navigated.wait(), 0.1)
            if navigated.is_set():
                await page.wait_for_load_state("load")
        finally:
            page.remove_listener("framenavigated", on_navigation)
            page.remove_listener("response", on_response)

    async def _mark(self, page: Page) -> tuple[str, str]:
        """The page's address and visible text: what an action's effect changes."""
        return page.url, await self.page_text(page)

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
            f"{element} not found on {path_of(page.url)} with profile {self.profile.name} "
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
        if self.has_marker(text, "blocked"):  # before the challenge: a block page may hold one
            return PageKind.BLOCKED
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

    async def _classify_strict(self, page: Page, leaving: PageKind | None = None,
                               settle: bool = True) -> PageKind:
        """Classify; a challenge or server error interrupts the step.

        Content a site renders late (a spinner first) is waited for: while the page is
        ``UNKNOWN`` (or still ``leaving``, the kind before an action) it is classified again
        until :attr:`find_timeout` has passed; the last kind is returned. ``settle=False``:
        one look (a page whose content is waited for element by element afterwards).
        """
        deadline = time.monotonic() + (self.find_timeout if settle else 0)
        kind = await self.classify(page)
        while kind in (PageKind.UNKNOWN, leaving) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            kind = await self.classify(page)
        if kind is PageKind.BLOCKED:
            raise blocked_failure(await self.page_text(page), page.url)
        if kind is PageKind.BOT_CHALLENGE:
            raise ChallengeShownError()
        if kind is PageKind.SERVER_ERROR:
            raise RunFailedError(Outcome.PORTAL_ERROR,
                                 f"the portal answered HTTP {self._last_status} on "
                                 f"{path_of(page.url)}")
        return kind

    async def classify_strict(self, page: Page, leaving: PageKind | None = None,
                              settle: bool = True) -> PageKind:
        """Classify; a challenge or server error interrupts the step (see ``classify``)."""
        return await self._classify_strict(page, leaving, settle)

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
            loc = spec.resolve(scope)
            if await loc.count():
                return loc.first
        raise RunFailedError(Outcome.SELECTOR_DRIFT, f"{element} not found in the pending list")

    async def clear_overlay(self, page: Page) -> None:
        """Close a cookie/consent banner (profile element ``consent_dismiss``) that would cover
        the controls; its choice is the site's least-tracking one where the profile lists it."""
        button = await self.find(page, "consent_dismiss", required=False)
        if button is None:
            return
        await button.click()
        await button.wait_for(state="hidden", timeout=self.find_timeout * 1000)


def path_of(url: str) -> str:
    """The path (and query) of a URL, for messages."""
    return re.sub(r"^https?://[^/]+", "", url) or "/"
