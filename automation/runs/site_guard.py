"""Keep a run's browser on the account's registered site: the portal password goes only there.

:class:`SiteGuard` is one run's guard. Before a run opens a link, before it signs in and after
every step, the page must be on the site (:func:`app.urls.is_on_site`: same scheme, host and
port); every main-frame navigation off the site (a redirect too) is recorded as it happens.
While the password is in use (signing in), a route on the browser context aborts every
top-level navigation to another host and every request to another host that carries the
password (raw, URL- or base64-encoded, in the URL, a header or the body), so a redirect or a
form the run did not expect cannot deliver it either. Any of these ends the run
``untrusted_link``.
"""

from __future__ import annotations

import base64
import logging
import re
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from urllib.parse import quote, quote_plus

from playwright.async_api import Frame, Page, Request, Route

from app.urls import is_on_site, link_problem, origin, redact_url
from automation.runs.outcomes import Outcome, RunFailedError

log = logging.getLogger(__name__)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def off_site_pattern(site_url: str) -> re.Pattern[str]:
    """A regex for every URL *not* on the site, matched by the browser itself, so requests to
    the site (nearly all of a run) never wait for this process."""
    found = origin(site_url)
    if found is None:
        return re.compile(".*")
    scheme, host, port = found
    if ":" in host:
        host = f"[{host}]"
    prefix = f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS[scheme] else f":{port}")
    return re.compile(r"^(?!" + re.escape(prefix) + r"(?:[/?#]|$))", re.IGNORECASE)


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
        self._off_site = off_site_pattern(site_url)
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

    def watch(self, page: Page) -> None:
        """Record any main-frame navigation of ``page`` off the site (idempotent)."""
        if page not in self._watched:
            page.on("framenavigated", self._navigated)
            self._watched.add(page)

    @asynccontextmanager
    async def blocking(self, page: Page) -> AsyncIterator[None]:
        """While the password is in use (signing in): abort off-site page loads and any
        off-site request carrying it. The route is matched in the browser (only URLs off the
        site reach this process) and removed afterwards (a route disables the HTTP cache)."""
        self.watch(page)
        context = page.context
        await context.route(self._off_site, self._route)
        try:
            yield
        finally:
            try:
                await context.unroute(self._off_site, self._route)
            except Exception as exc:  # the context may be closed already
                log.debug("unroute failed: %s", exc)
        self.raise_if_violated()

    def _navigated(self, frame: Frame) -> None:
        if frame.parent_frame is None and frame.url.startswith("http") \
                and not is_on_site(frame.url, self.site_url):
            self._violate(f"the page went to {redact_url(frame.url)}, off the account's site "
                          f"{redact_url(self.site_url)}")

    async def _route(self, route: Route) -> None:
        request = route.request
        if is_on_site(request.url, self.site_url):  # the pattern let it through: be exact
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
