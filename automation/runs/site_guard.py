"""Keep a run's browser on the account's registered site: the portal password goes only there.

:class:`SiteGuard` is one run's guard. Before a run opens a link, before it signs in and after
every step, the page must be on the site (:func:`app.urls.is_on_site`: same scheme, host and
port). Underneath, a route on the browser context aborts every top-level navigation to another
host and every request to another host that carries the password (raw, URL- or
base64-encoded, in the URL, a header or the body), so a redirect or a form the run did not
expect cannot deliver it either. Any of these ends the run ``untrusted_link``.
"""

from __future__ import annotations

import base64
import logging
import weakref
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from playwright.async_api import BrowserContext, Frame, Page, Request, Route

from app.urls import is_on_site, link_problem, redact_url
from automation.runs.outcomes import Outcome, RunFailedError

log = logging.getLogger(__name__)


def secret_forms(secret: str) -> tuple[str, ...]:
    """The ways ``secret`` can appear in a request: raw, URL-encoded, base64."""
    if not secret:
        return ()
    raw = secret.encode()
    return tuple({secret, quote(secret, safe=""), quote_plus(secret),
                  base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()})


class SiteGuard:
    """One run's host check.

    Args:
        site_url: the portal account's registered site.
        password: the secret that must never leave for another host.
    """

    def __init__(self, site_url: str, password: str) -> None:
        self.site_url = site_url
        self.violation: str | None = None
        self._forms = secret_forms(password)
        self._guarded: weakref.WeakSet[BrowserContext] = weakref.WeakSet()  # route installed
        self._watched: weakref.WeakSet[Page] = weakref.WeakSet()  # navigation listener on

    # -- checks the run makes ------------------------------------------------------------

    def check_link(self, url: str, doing: str) -> None:
        """Refuse to open ``url`` unless it is on the site.

        Raises:
            RunFailedError: untrusted_link.
        """
        problem = link_problem(url, self.site_url)
        if problem is not None:
            self._violate(f"refused to {doing}: {problem}")
        self.raise_if_violated()

    def check_page(self, page: Page, doing: str) -> None:
        """The page must be on the site (a blank new page is fine) before ``doing``.

        Raises:
            RunFailedError: untrusted_link.
        """
        url = page.url
        if not (url == "about:blank" or is_on_site(url, self.site_url)):
            self._violate(f"refused to {doing} on {redact_url(url)}: "
                          f"{link_problem(url, self.site_url)}")
        self.raise_if_violated()

    def raise_if_violated(self) -> None:
        """Raises RunFailedError(untrusted_link) once anything left the site."""
        if self.violation is not None:
            raise RunFailedError(Outcome.UNTRUSTED_LINK, self.violation)

    # -- the browser side ----------------------------------------------------------------

    async def attach(self, page: Page) -> None:
        """Install the route on the page's context and watch its main frame (idempotent)."""
        context = page.context
        if context not in self._guarded:
            await context.route("**/*", self._route)
            self._guarded.add(context)
        if page not in self._watched:
            page.on("framenavigated", self._navigated)
            self._watched.add(page)

    async def detach(self, context: BrowserContext) -> None:
        """Remove the route (the context may serve the account's next run)."""
        if context in self._guarded:
            self._guarded.discard(context)
            try:
                await context.unroute("**/*", self._route)
            except Exception as exc:  # the context may be closed already
                log.debug("unroute failed: %s", exc)

    def _navigated(self, frame: Frame) -> None:
        if frame.parent_frame is None and frame.url.startswith("http") \
                and not is_on_site(frame.url, self.site_url):
            self._violate(f"the page went to {redact_url(frame.url)}, off the account's site "
                          f"{redact_url(self.site_url)}")

    async def _route(self, route: Route) -> None:
        request = route.request
        if is_on_site(request.url, self.site_url):
            await route.continue_()
            return
        reason = None
        if self._carries_secret(request.url, request.post_data, request.headers.values()):
            reason = "a request carrying the portal password"
        elif request.is_navigation_request() and _is_main_frame(request):
            reason = "a page"
        if reason is None:
            await route.continue_()  # a sub-resource elsewhere (a CDN): nothing secret in it
            return
        self._violate(f"blocked {reason} to {redact_url(request.url)}, off the account's "
                      f"site {redact_url(self.site_url)}")
        await route.abort("blockedbyclient")

    def _carries_secret(self, url: str, body: str | None, headers: Iterable[str]) -> bool:
        texts = [url, body or "", *headers]
        return any(form in text for form in self._forms for text in texts)

    def _violate(self, reason: str) -> None:
        if self.violation is None:
            self.violation = reason
            log.warning("untrusted link: %s", reason)


def _is_main_frame(request: Request) -> bool:
    try:
        return request.frame.parent_frame is None
    except Exception:  # a service worker's request has no frame
        return False
