"""Support tools on a browser service: check saved pages against a profile, snapshot a page,
detect a site's profile (``transferdesk portal ...`` and ``accounts add``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from automation.browser.service import BrowserService
from automation.portals import choice
from automation.portals.profile import PortalProfile
from automation.portals.protocol import ChallengeShownError
from automation.portals.snapshot import Snapshot, save_snapshot
from automation.runs.outcomes import RunFailedError

log = logging.getLogger(__name__)


async def _check_page(service: BrowserService, profile: PortalProfile,
                      file: Path) -> dict[str, Any]:
    browser = await service.browser()
    context = await browser.new_context(java_script_enabled=False)
    await context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") else route.abort())  # saved pages stay offline
    try:
        page = await context.new_page()
        await page.goto(file.resolve().as_uri(), wait_until="load")
        elements: dict[str, Any] = {}
        for element, specs in profile.locators.items():
            elements[element] = None
            for index, spec in enumerate(specs):
                if await spec.resolve(page).first.is_visible():
                    elements[element] = {"alternative": index, "matched": spec.describe()}
                    break
        return {"file": str(file), "profile": profile.name, "source": profile.source,
                "elements": elements}
    finally:
        await context.close()


def check_pages(service: BrowserService, profile: PortalProfile,
                files: list[Path]) -> list[dict[str, Any]]:
    """For each saved page: each profile element and the alternative that matched (or None)."""
    return [service.call(_check_page(service, profile, file), timeout=120) for file in files]


async def _snapshot(service: BrowserService, account_key: str, url: str, folder: Path,
                    stem: str, secrets: list[str]) -> Snapshot:
    session = await service.session(account_key)
    page = await session.context.new_page()
    try:
        await page.goto(url, wait_until="load")
        return await save_snapshot(page, await service.browser(), folder, stem, secrets)
    finally:
        await page.close()


def snapshot_url(service: BrowserService, account_key: str, url: str, folder: Path,
                 stem: str, secrets: list[str]) -> Snapshot:
    """Open ``url`` with the account's saved session and save a sanitized snapshot."""
    return service.call(_snapshot(service, account_key, url, folder, stem, secrets),
                        timeout=120)


async def _detect(service: BrowserService, platform: str, site_url: str) -> str | None:
    browser = await service.browser()
    context = await browser.new_context()
    try:
        page = await context.new_page()
        found = await choice.detect(page, site_url, choice.candidates(platform, site_url))
        return found.name if found else None
    except ChallengeShownError:
        return None
    except RunFailedError as exc:  # a block page: detection waits for a run or a person
        log.warning("profile detection on %s: %s", site_url, exc.detail)
        return None
    finally:
        await context.close()


def detect_profile(service: BrowserService, platform: str, site_url: str) -> str | None:
    """The profile whose sign-in markers match the site (a fresh, signed-out browser)."""
    return service.call(_detect(service, platform, site_url), timeout=120)
