"""Turn :class:`app.config.BrowserSettings` into keyword arguments for Playwright's launch.

Order of preference: a configured ``channel`` (``msedge`` / ``chrome``: an installed branded
browser, found by Playwright), then a configured ``executable_path``, then the first Chromium-family
browser found on this machine. Playwright's own downloaded browsers are never required.

Chromium's sandbox stays on (it contains untrusted portal pages, headed takeover windows
included). :func:`sandbox_blocker` names the only cases where Chromium cannot run with it
(as root on Linux, inside a container); there it is dropped with a log line.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from app.config import BrowserSettings
from app.errors import ConfigError, DependencyMissingError

log = logging.getLogger(__name__)
NO_SANDBOX = "--no-sandbox"
CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))
CONTAINER_CGROUP_WORDS = ("docker", "kubepods", "containerd", "lxc", "libpod")
KNOWN_CHANNELS = ("chrome", "chrome-beta", "msedge", "msedge-beta", "msedge-dev", "chromium")
AUTO_DETECT = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """Return the path of a Chromium-family browser on PATH (or /usr/bin), or None."""
    for name in AUTO_DETECT:
        found = shutil.which(name) or shutil.which(name, path="/usr/bin:/snap/bin")
        if found:
            return found
    return None


def in_container(markers: tuple[Path, ...] = CONTAINER_MARKERS,
                 cgroup: Path = Path("/proc/1/cgroup")) -> bool:
    """True inside Docker, Podman, Kubernetes or LXC (by marker files or PID 1's cgroup)."""
    if os.environ.get("container") or any(m.exists() for m in markers):
        return True
    try:
        text = cgroup.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(word in text for word in CONTAINER_CGROUP_WORDS)


def sandbox_blocker(platform: str = sys.platform, euid: int | None = None,
                    container: bool | None = None) -> str | None:
    """Why Chromium cannot run with its sandbox here (None: keep it on).

    Args:
        platform: ``sys.platform``.
        euid: the effective user id (default: this process's, on POSIX).
        container: whether this runs in a container (default: :func:`in_container`).
    """
    if not platform.startswith("linux"):
        return None
    if euid is None:
        euid = os.geteuid()
    if euid == 0:
        return "running as root on Linux"
    if container if container is not None else in_container():
        return "running inside a container"
    return None


def launch_kwargs(settings: BrowserSettings) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch(**kwargs)``.

    Raises:
        ConfigError: an unknown channel, or an executable_path that is not an executable file.
        DependencyMissingError: nothing configured and no browser found on this machine.
    """
    blocker = sandbox_blocker()
    args = list(settings.args)
    if blocker is not None:
        log.warning("Chromium's sandbox is off: %s (run as a normal user outside containers "
                    "to keep it)", blocker)
    elif NO_SANDBOX in args:
        log.warning("Chromium's sandbox is off: [browser] args contains %s", NO_SANDBOX)
    kwargs: dict[str, Any] = {"headless": settings.headless, "args": args,
                              "chromium_sandbox": blocker is None and NO_SANDBOX not in args}
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
