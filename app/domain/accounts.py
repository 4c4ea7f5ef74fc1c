"""Portal account input: the site URL and username a portal account may be registered with.

The site URL is where the runner signs in, so it must be exactly a site: https (plain http only
to a loopback sandbox), a host, no credentials, spaces, query or fragment. Usernames are
non-empty. Every path that adds an account goes through :func:`check_account`.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from app.domain.errors import DomainError

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_site_url(site_url: str) -> str:
    """The normalised site URL (no trailing slash).

    Raises:
        DomainError: not an https URL of a host (http only to loopback), or carries credentials,
            whitespace, a query or a fragment.
    """
    url = site_url.strip()
    if not url or any(ch.isspace() for ch in url):
        raise DomainError(f"site URL {site_url!r} is empty or contains spaces")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        raise DomainError(f"site URL {site_url!r} is not a valid URL: {exc}") from exc
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise DomainError("site URL must not carry a user name or password; the password "
                          "belongs in the keyring (portal:<id>)")
    if parts.scheme not in ("https", "http") or not host:
        raise DomainError(f"site URL {url!r} must be an https:// URL of the portal's site")
    if parts.scheme == "http" and not is_loopback(host):
        raise DomainError(f"site URL {url!r} uses plain http to a real host; use https "
                          "(http is only for a sandbox on this machine)")
    if parts.query or parts.fragment:
        raise DomainError(f"site URL {url!r} must not have a query or fragment")
    return url.rstrip("/")


def check_username(username: str) -> str:
    """The trimmed username.

    Raises:
        DomainError: empty or on several lines.
    """
    name = username.strip()
    if not name or "\n" in name or "\r" in name:
        raise DomainError("a portal account needs a username (the sign-in email), on one line")
    return name
