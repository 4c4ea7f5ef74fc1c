"""The ownership check after Accept: are the expected seats in the account, by the site's data?

First the site's own JSON (when the profile has ``[api] order_history``): called from the
signed-in page with ``fetch`` (same origin, the session cookie, and the token the page HTML
carries, e.g. ``"pacAuthz":"<uuid>"`` sent as ``pac-authz``); its ``transferSeatId`` values are
``^``-separated with ``LEVEL:SECTION``, ``ROW`` and ``SEAT`` as fields 3-5. Else (no API, API
down, seats without ids) My Account's seat lines. Seats compare exactly: section, row, each seat.
Seats nobody can read end ``unverified`` (needs review with evidence), never a silent pass.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from playwright.async_api import Locator, Page

from automation.portals.matching import mentions
from automation.portals.protocol import PageKind, SignInRequiredError, TransferTarget
from automation.runs.outcomes import Outcome, RunFailedError

if TYPE_CHECKING:
    from automation.portals.paciolan import PaciolanAdapter

log = logging.getLogger(__name__)

Seat = tuple[str, str, str]  # (section, row, seat), lower-cased
LABELLED = re.compile(r"\bsec(?:tion)?\b\W*([\w-]+)\W+row\b\W*([\w-]+)\W+seat\b\W*([\w-]+)",
                      re.IGNORECASE)
FETCH = """async ([url, header, token]) => {
  const headers = {"Accept": "application/json"};
  if (header && token) headers[header] = token;
  try {
    const r = await fetch(url, {headers, credentials: "same-origin"});
    return {status: r.status, body: r.ok ? await r.json() : null};
  } catch (e) { return {status: 0, body: null}; }
}"""
#: Each link's text and address; ``rendered``: its rendered text (``innerText``, which lays the
#: page out: asked only when the raw text names no link).
LINKS = ("(els, rendered) => els.map(e => [(rendered ? e.innerText : e.textContent) || "
         "e.textContent || '', e.href || ''])")
#: For each seat line, the text of its event's block: the smallest ancestor that names the
#: event and holds no other list or table of seats (a legacy page puts the event on a row of
#: its own above the seat table); empty when no such block names it.
IN_EVENT_BLOCK = """(row, wanted) => {
  const words = t => (t || '').toLowerCase().match(/[0-9a-z]+/g) || [];
  const want = words(wanted).join(' ');
  const own = row.closest('table, ul, ol');
  for (let block = row.parentElement; block; block = block.parentElement) {
    const groups = [...block.querySelectorAll('table, ul, ol')].filter(g => g !== own
      && !g.contains(own) && !(own && own.contains(g)));
    if (groups.length) break;
    if (want && (' ' + words(block.innerText).join(' ') + ' ').includes(' ' + want + ' '))
      return block.innerText;
  }
  return '';
}"""


def expected_seats(target: TransferTarget) -> set[Seat]:
    """What the notice promised."""
    return {(target.section.lower(), target.row.lower(), s.lower()) for s in target.seats}


def seats_from_order_history(body: Any, season: str, event: str) -> set[Seat] | None:
    """Seats of one event in an ``orderhistory-event`` answer; None when a seat has no id."""
    owned: set[Seat] = set()
    events = body.get("events", []) if isinstance(body, dict) else []
    for item in events:
        if not isinstance(item, dict) or (item.get("seasonCd"), item.get("eventCd")) != (
                season, event):
            continue
        for seat in item.get("seats", []):
            parts = str(seat.get("transferSeatId") or "").split("^")
            if len(parts) < 5 or not all(parts[2:5]):
                return None
            owned.add((parts[2].split(":")[-1].lower(), parts[3].lower(), parts[4].lower()))
    return owned


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,·|:;]+", text.lower()) if t]


def seats_in_line(text: str, target: TransferTarget, need_event: bool,
                  context: str = "") -> set[Seat]:
    """The expected seats one My Account line shows (labelled "Section/Row/Seat", one or
    several, or bare columns); ``context``: the line's event block, where the event may be
    named instead of on the line."""
    if need_event and target.event_name and not mentions(f"{context}\n{text}",
                                                         target.event_name):
        return set()
    labelled = {(m.group(1).lower(), m.group(2).lower(), m.group(3).lower())
                for m in LABELLED.finditer(text)}
    if labelled:
        return labelled & expected_seats(target)
    tokens = _tokens(text)
    return {s for s in expected_seats(target) if all(v in tokens for v in s if v)}


class OwnershipCheck:
    """One check for one run, on the adapter's profile."""

    def __init__(self, adapter: PaciolanAdapter, page: Page, target: TransferTarget) -> None:
        self.adapter, self.page, self.target = adapter, page, target
        self.profile = adapter.profile

    async def run(self) -> None:
        """Raise ``wrong_tickets`` or ``unverified`` unless every expected seat is owned."""
        adapter, page = self.adapter, self.page
        await adapter.goto(page, adapter.url("my_account", "account"))
        # one look each: the event links and seat lines below are waited for one by one
        if await adapter.classify_strict(page, settle=False) in (
                PageKind.SIGN_IN, PageKind.PASSWORD, PageKind.VERIFICATION_CODE):
            raise SignInRequiredError()
        href = await self._event_href()
        if href is not None:
            await adapter.goto(page, href)  # the event's page: the seats, for the evidence too
            await adapter.classify_strict(page, settle=False)
        expected = expected_seats(self.target)
        owned = await self._from_api(href)
        if owned is None:
            owned = await self._from_page(need_event=href is None)
        else:
            log.info("ownership from the account API: %d seat(s) of the event", len(owned))
        missing = sorted(s[2] for s in expected - owned)
        if missing:
            raise RunFailedError(
                Outcome.WRONG_TICKETS,
                f"seat(s) {', '.join(missing)} of section {self.target.section} row "
                f"{self.target.row} are not in My Account")

    async def _event_href(self) -> str | None:
        """The My Account link to the target's event, when the profile names event links
        (waited for: a list rendered late)."""
        specs = self.profile.specs("event_link")
        if not specs:
            return None
        deadline = time.monotonic() + self.adapter.find_timeout
        while True:
            for rendered in (False, True):
                for spec in specs:
                    pairs = await spec.resolve(self.page).evaluate_all(LINKS, rendered)
                    for text, href in pairs:
                        if mentions(str(text), self.target.event_name) and href:
                            return str(href)
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.1)
        raise RunFailedError(Outcome.WRONG_TICKETS,
                             f"My Account lists no event called {self.target.event_name!r}")

    async def _from_api(self, href: str | None) -> set[Seat] | None:
        api = self.profile.api
        pattern, path = api.get("event_pattern"), api.get("order_history")
        if not (href and pattern and path):
            return None
        codes = re.search(pattern, href)
        if codes is None or len(codes.groups()) < 2:
            return None
        season, event = codes.group(1), codes.group(2)
        url = self.adapter.url("api", path, season=season, event=event)
        if _origin(url) != _origin(self.page.url):
            log.warning("account API %s is not on the page's origin: not called", url)
            return None
        token = ""
        if api.get("token_pattern"):
            found = re.search(api["token_pattern"], await self.page.content())
            token = found.group(1) if found else ""
        answer = await self.page.evaluate(FETCH, [url, api.get("token_header", ""), token])
        if not isinstance(answer, dict) or answer.get("status") != 200:
            log.warning("account API answered %s: reading My Account instead",
                        answer.get("status") if isinstance(answer, dict) else answer)
            return None
        owned = seats_from_order_history(answer.get("body"), season, event)
        if owned is None:
            log.warning("account API lists seats without ids: reading My Account instead")
        return owned

    async def _from_page(self, need_event: bool) -> set[Seat]:
        adapter = self.adapter
        await adapter.find(self.page, "owned_tickets")  # raises selector_drift
        expected = expected_seats(self.target)
        deadline = time.monotonic() + adapter.find_timeout
        while True:  # seat lines may arrive after the card: wait for all expected, or time out
            owned, first = await self._owned_lines(need_event)
            if not expected - owned or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.1)
        if first is not None:  # the evidence screenshot shows the seats even on a long page
            await first.scroll_into_view_if_needed()
        if expected - owned and adapter.has_marker(
                await adapter.page_text(self.page), "seats_unavailable"):
            raise RunFailedError(
                Outcome.UNVERIFIED,
                "the portal does not show seat numbers (account API and My Account): "
                "check the seats by hand")
        return owned


    async def _owned_lines(self, need_event: bool) -> tuple[set[Seat], Locator | None]:
        """The expected seats My Account's seat lines show, and the first line showing one."""
        rows, texts = await self.adapter.all_matches(self.page, "owned_ticket")
        owned: set[Seat] = set()
        first = None
        for row, text in zip(rows, texts, strict=True):
            seats = seats_in_line(text, self.target, need_event)
            if not seats and need_event and seats_in_line(text, self.target, False):
                # the expected seats, but the event not on the line: look in its block (one
                # browser round trip, only for such lines)
                context = await row.evaluate(IN_EVENT_BLOCK, self.target.event_name)
                seats = seats_in_line(text, self.target, need_event, str(context))
            if seats and first is None:
                first = row
            owned |= seats
        return owned, first


def _origin(url: str) -> str:
    found = re.match(r"^(https?://[^/]+)", url)
    return found.group(1).lower() if found else ""
