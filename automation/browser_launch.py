"""Turn :class:`app.config.BrowserSettings` into keyword arguments for Playwright's launch.

Order of preference: a configured ``channel`` (``msedge`` / ``chrome``: an installed branded
browser, found by Playwright), then a configured ``executable_path``, then the first Chromium-family
browser found on this machine. Playwright's own downloaded browsers are never required.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from app.config import BrowserSettings
from app.errors import ConfigError, DependencyMissingError

KNOWN_CHANNELS = ("chrome", "chrome-beta", "msedge", "msedge-beta", "msedge-dev", "chromium")
AUTO_DETECT = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """Return the path of a Chromium-family browser on PATH (or /usr/bin), or None."""
    for name in AUTO_DETECT:
        found = shutil.which(name) or shutil.which(name, path="/usr/bin:/snap/bin")
        if found:
            return found
    return None


def launch_kwargs(settings: BrowserSettings) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch(**kwargs)``.

    Raises:
        ConfigError: an unknown channel, or an executable_path that is not an executable file.
        DependencyMissingError: nothing configured and no browser found on this machine.
    """
    kwargs: dict[str, Any] = {"headless": settings.headless, "args": list(settings.args)}
    if settings.channel:
        if settings.channel not in KNOWN_CHANNELS:
            raise ConfigError(
                f"[browser] channel = {settings.channel!r} is not one of "
                f"{', '.join(KNOWN_CHANNELS)}"
            )
        kwargs["channel"] = settings.channel
    elif settings.executable_path:
        path = settings.executable_path
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise ConfigError(
                f"[browser] executable_path = {path!r} is not an executable file "
                "(TRANSFERDESK_BROWSER_PATH or config.toml)"
            )
        kwargs["executable_path"] = path
    else:
        found = find_browser()
        if found is None:
            raise DependencyMissingError(
                "no browser found: install Chromium (Debian/Ubuntu: apt-get install chromium), "
                "or set [browser] channel = \"msedge\" / \"chrome\", or executable_path in "
                "config.toml (env TRANSFERDESK_BROWSER_CHANNEL / TRANSFERDESK_BROWSER_PATH)"
            )
        kwargs["executable_path"] = found
    return kwargs
