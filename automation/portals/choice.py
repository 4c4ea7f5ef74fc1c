"""Which selector profile fits a site: the account's choice, else detection by sign-in markers.

Detection opens each candidate's sign-in path (once per distinct URL) and takes the first
candidate whose ``detect`` elements show, judged by each element's FIRST alternative (the id or
test-id, the most specific). Candidates: every bundled and override profile of the platform;
the sandbox-only test profiles join only for sites on this machine (the sandbox portal), so a
real site is never matched to the sandbox's own markup.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Page

from automation.portals.profile import PortalProfile, all_profiles, load_profile

if TYPE_CHECKING:
    from automation.portals.paciolan import PaciolanAdapter

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Detected profile per site URL in this process (a run after the first skips detection).
_detected: dict[str, str] = {}


def is_local_site(site_url: str) -> bool:
    """True for a site on this machine (the sandbox portal)."""
    return (urlsplit(site_url).hostname or "") in LOCAL_HOSTS


def candidates(platform: str, site_url: str) -> list[PortalProfile]:
    """Profiles detection tries, in order: real-site ones first, then (local only) sandbox."""
    real: list[PortalProfile] = []
    sandbox: list[PortalProfile] = []
    for name, source, _ in all_profiles():
        if source == "sandbox" and not is_local_site(site_url):
            continue
        profile = load_profile(name)
        if profile.platform == platform:
            (sandbox if source == "sandbox" else real).append(profile)
    real.sort(key=lambda p: (p.name != platform, p.name))  # the platform's namesake first
    return real + sandbox


def remembered(site_url: str) -> str | None:
    """The profile detected for ``site_url`` earlier in this process, if any."""
    return _detected.get(site_url.rstrip("/"))


def remember(site_url: str, name: str) -> None:
    """Keep a detection result for the next run on the same site."""
    _detected[site_url.rstrip("/")] = name


def sign_in_url(profile: PortalProfile, site_url: str) -> str:
    """Absolute sign-in URL of ``profile`` on the site."""
    path = profile.path("sign_in", "signin")
    return path if path.startswith("http") else f"{site_url.rstrip('/')}/{path.lstrip('/')}"


async def matches(page: Page, profile: PortalProfile) -> bool:
    """True when the first alternative of one of ``profile``'s detect elements is visible."""
    for element in profile.detect:
        specs = profile.specs(element)
        if specs and await specs[0].resolve(page).first.is_visible():
            return True
    return False


async def shows_challenge(page: Page, profile: PortalProfile) -> bool:
    """True when ``profile``'s bot-challenge element is on the page."""
    for spec in profile.specs("bot_challenge"):
        if await spec.resolve(page).first.is_visible():
            return True
    return False


async def refuse_if_blocked(page: Page, profile: PortalProfile) -> None:
    """Raise the ``blocked`` failure when ``profile``'s block-page markers show on the page."""
    from automation.portals.driver import blocked_failure

    markers = profile.markers("blocked")
    if not markers:
        return
    text = str(await page.evaluate("() => document.body ? document.body.innerText : ''")).lower()
    if any(marker in text for marker in markers):
        raise blocked_failure(text, page.url)


async def detect(page: Page, site_url: str, options: list[PortalProfile]) -> PortalProfile | None:
    """The first of ``options`` whose markers show on its sign-in path, or None.

    Raises:
        ChallengeShownError: a bot challenge stands in front of the page (decide later).
    """
    from automation.portals.protocol import ChallengeShownError

    for url in dict.fromkeys(sign_in_url(p, site_url) for p in options):
        await page.goto(url, wait_until="load")
        for profile in (p for p in options if sign_in_url(p, site_url) == url):
            await refuse_if_blocked(page, profile)
            if await shows_challenge(page, profile):
                raise ChallengeShownError()
            if await matches(page, profile):
                log.info("site %s matches portal profile %s", site_url, profile.name)
                return profile
    log.warning("no portal profile's sign-in markers match %s (tried %s)", site_url,
                ", ".join(p.name for p in options))
    return None


def adapter_for_site(platform: str, site_url: str, profile: str | None = None) -> PaciolanAdapter:
    """The adapter for a site: ``profile`` if given, else the one detected earlier, else one
    that detects at its first sign-in among :func:`candidates`."""
    from automation.portals.paciolan import PaciolanAdapter

    if profile:
        return PaciolanAdapter(load_profile(profile), site_url)
    name = remembered(site_url)
    if name:  # detected for another account of this site: this account records it too
        adapter = PaciolanAdapter(load_profile(name), site_url)
        adapter.detected = name
        return adapter
    options = candidates(platform, site_url)
    if not options:
        return PaciolanAdapter(load_profile(platform), site_url)
    return PaciolanAdapter(options[0], site_url, candidates=options)
