"""Bot-defence guards of the sandbox portal, modelled on public reports of HUMAN (PerimeterX).

Three per-site switches (:class:`~automation.sandbox.portal.model.Faults`):

- ``automation_guard``: every request without the guard's cookie gets a 403 "Access to this page
  has been denied" page with a reference id and a script that reads ``navigator.webdriver``; only
  a browser that reports ``false`` gets the cookie. An automated browser never does.
- ``hold_guard``: the same refusal as a "Press & Hold" page; holding clears it only in a browser
  that does not report itself as automated (a person holding inside the automated window is still
  refused, as publicly reported).
- ``rate_limit_requests`` / ``rate_limit_seconds``: an account (or, before sign-in, a session)
  that sent more than N requests in the last M seconds is refused (429, same block page).

The person's own browser is outside the sandbox's reach: tests stand in for it through the admin
API (``POST /_admin/transfers/{token}/accept``), never by disguising an automated browser.
TransferDesk itself never tries to get past these guards (no stealth plugins, fingerprint
patching, automation-flag removal, CAPTCHA solvers or proxy rotation): it detects, stops and
hands the work to a person.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter, deque
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from aiohttp import web

from automation.sandbox.portal.model import Faults, Site

GUARD_COOKIE = "_pxhd"
BLOCK_HEADING = "Access to this page has been denied"
HOLD_MS = 1500
GUARD_PATH = "_px"  # /tickets/<site>/_px/verify (script report), /_px/hold (hold form)


class GuardState:
    """Verified browsers, request windows and request counts (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.verified: set[str] = set()
        self.windows: dict[tuple[str, str], deque[datetime]] = {}
        self.requests: Counter[str] = Counter()  # every request per site (guards included)
        self.refusals: Counter[str] = Counter()

    def count(self, site: str) -> None:
        """Count one request to ``site``."""
        with self._lock:
            self.requests[site] += 1

    def refused(self, site: str) -> None:
        """Count one refusal on ``site``."""
        with self._lock:
            self.refusals[site] += 1

    def verify(self) -> str:
        """A new cookie value for a browser that reported itself as not automated."""
        with self._lock:
            value = secrets.token_urlsafe(16)
            self.verified.add(value)
            return value

    def is_verified(self, cookie: str | None) -> bool:
        """True when the cookie came from :meth:`verify`."""
        with self._lock:
            return cookie is not None and cookie in self.verified

    def over_rate(self, site: str, who: str, limit: int, seconds: float, now: datetime) -> bool:
        """Record a request by ``who``; True when more than ``limit`` fell in the window."""
        with self._lock:
            window = self.windows.setdefault((site, who), deque())
            window.append(now)
            while window and window[0] <= now - timedelta(seconds=seconds):
                window.popleft()
            return len(window) > limit

    def reset(self) -> None:
        """Forget everything (admin reset)."""
        with self._lock:
            self.verified.clear()
            self.windows.clear()
            self.requests.clear()
            self.refusals.clear()


GuardsOf = Callable[[web.Request], tuple[GuardState, Site]]
"""The guard state and site a request is for."""


def refusal(request: web.Request, guards: GuardState, site: Site, faults: Faults, who: str,
            now: datetime) -> web.Response | None:
    """The guard's answer to ``request`` (a block page), or None to let it through."""
    if request.path.rstrip("/").split("/")[-2:-1] == [GUARD_PATH]:
        return None  # the guard's own endpoints
    verified = guards.is_verified(request.cookies.get(GUARD_COOKIE))
    if faults.rate_limit_requests > 0 and guards.over_rate(
            site.slug, who, faults.rate_limit_requests, faults.rate_limit_seconds, now):
        guards.refused(site.slug)
        return _html(block_page(site, "Too many requests from this account. Try again later."),
                     429)
    if (faults.automation_guard or faults.hold_guard) and not verified:
        guards.refused(site.slug)
        next_url = request.path_qs if request.method == "GET" else f"/tickets/{site.slug}/account"
        body = hold_page(site, next_url) if faults.hold_guard else block_page(site, None)
        return _html(body, 403)
    return None


def add_guard_routes(app: web.Application, prefix: str, guards_of: GuardsOf) -> None:
    """The guard's endpoints: the script's report and the hold form."""

    async def verify(request: web.Request) -> web.Response:
        guards, site = guards_of(request)
        form = await request.post()
        if str(form.get("webdriver", "true")) != "false":
            return _html(block_page(site, None), 403)
        return _verified(site, guards, f"/tickets/{site.slug}/account")

    async def hold(request: web.Request) -> web.Response:
        guards, site = guards_of(request)
        form = await request.post()
        next_url = str(form.get("next", ""))
        if not next_url.startswith(f"/tickets/{site.slug}/"):
            next_url = f"/tickets/{site.slug}/account"
        try:
            held = int(str(form.get("held_ms", "0")))
        except ValueError:
            held = 0
        if held < HOLD_MS or str(form.get("webdriver", "true")) != "false":
            guards.refused(site.slug)
            return _html(hold_page(site, next_url), 403)  # never clears in an automated browser
        return _verified(site, guards, next_url)

    app.router.add_post(f"{prefix}/{GUARD_PATH}/verify", verify)
    app.router.add_post(f"{prefix}/{GUARD_PATH}/hold", hold)


def _verified(site: Site, guards: GuardState, next_url: str) -> web.Response:
    response = web.Response(status=303, headers={"Location": next_url})
    response.set_cookie(GUARD_COOKIE, guards.verify(), path=f"/tickets/{site.slug}/",
                        httponly=True)
    return response


def _html(text: str, status: int) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _page(site: Site, body: str) -> str:
    from automation.sandbox.portal import pages  # pages imports the state, which imports us

    return pages.page(site, BLOCK_HEADING, body, "blocked")


def _reference() -> str:
    return f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"


def block_page(site: Site, reason: str | None) -> str:
    """The 403 block page; its script reports ``navigator.webdriver`` (a person's browser passes).
    """
    extra = f"<p>{escape(reason)}</p>" if reason else ""
    body = f"""<h1>{BLOCK_HEADING}</h1>
<div id="px-block"><p>We believe you are using automation tools to browse the website.</p>{extra}
<p>Reference ID: <span class="px-ref">{_reference()}</span></p>
<form id="px-verify" method="post" action="/tickets/{site.slug}/{GUARD_PATH}/verify">
<input type="hidden" name="webdriver" value="true"></form></div>
<script>
if (navigator.webdriver === false) {{
  var f = document.getElementById("px-verify");
  f.elements.webdriver.value = "false"; f.submit();
}}
</script>"""
    return _page(site, body)


def hold_page(site: Site, next_url: str) -> str:
    """The "Press & Hold" block page: the hold form carries what ``navigator.webdriver`` says."""
    body = f"""<h1>{BLOCK_HEADING}</h1>
<div id="px-captcha" data-challenge="press-and-hold">
<p>Press &amp; Hold to confirm you are a human (and not a bot).</p>
<form id="hold-form" method="post" action="/tickets/{site.slug}/{GUARD_PATH}/hold">
<input type="hidden" name="next" value="{escape(next_url)}">
<input type="hidden" name="webdriver" id="px-webdriver" value="true">
<input type="hidden" name="held_ms" id="px-held" value="0">
<button type="button" id="px-hold-button" class="hold">Press &amp; Hold</button></form></div>
<p>Reference ID: <span class="px-ref">{_reference()}</span></p>
<script>
(function () {{
  var start = 0, timer = null, btn = document.getElementById("px-hold-button");
  document.getElementById("px-webdriver").value = String(navigator.webdriver === true);
  btn.addEventListener("pointerdown", function () {{
    start = Date.now();
    timer = setInterval(function () {{
      if (Date.now() - start >= {HOLD_MS}) {{
        clearInterval(timer);
        document.getElementById("px-held").value = String(Date.now() - start);
        document.getElementById("hold-form").submit();
      }}
    }}, 50);
  }});
  btn.addEventListener("pointerup", function () {{ clearInterval(timer); }});
}})();
</script>"""
    return _page(site, body)
