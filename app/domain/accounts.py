"""Portal account input: the site URL and username a portal account may be registered with.

The site URL is where the runner signs in, so it must be exactly a site: https (plain http only
to a loopback sandbox), a host, no credentials, spaces, query or fragment. Usernames are
non-empty. Every path that adds an account goes through :func:`check_account`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

from app.domain.account_states import AutomationMode
from app.domain.errors import DomainError
from app.domain.records import PortalAccountInfo

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


@dataclass(frozen=True)
class AccountChanges:
    """What an edit of a portal account changes (None: leave as it is).

    Attributes:
        label: the display name shown to staff ("" clears it).
        username: the sign-in email (checked by :func:`check_username`).
        password: the new password, for the keyring only (never the database or a log).
        automation_mode: automate the account's transfers, or never (assisted).
        site_url: the site's base URL (checked by :func:`check_site_url`).
    """

    label: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    automation_mode: AutomationMode | None = None
    site_url: str | None = None

    def checked(self) -> AccountChanges:
        """The changes with the site URL and username normalised.

        Raises:
            DomainError: a bad site URL or username, an empty password, or no change.
        """
        if self.password is not None and not self.password:
            raise DomainError("a new password cannot be empty (leave it out to keep the old one)")
        changes = AccountChanges(
            None if self.label is None else self.label.strip(),
            None if self.username is None else check_username(self.username),
            self.password, self.automation_mode,
            None if self.site_url is None else check_site_url(self.site_url))
        if changes == AccountChanges():
            raise DomainError("nothing to change: give a new name, username, password, mode "
                              "or site URL")
        return changes


@dataclass(frozen=True)
class AccountEdited:
    """An edit that was saved.

    Attributes:
        account: the account as it is now.
        changed: what changed, in words ("name", "username", "automation mode", "site URL",
            "password"), in that order.
        session_dropped: the saved browser session of the old identity was deleted.
    """

    account: PortalAccountInfo
    changed: tuple[str, ...]
    session_dropped: bool = False


@dataclass(frozen=True)
class AccountRemoved:
    """A removal that was done.

    Attributes:
        account: the account as it was.
        retired: True when transfers refer to it, so it is kept (inactive) for the history;
            False when nothing did and its row is deleted.
        password_deleted: its ``portal:<id>`` keyring slot held a password, now deleted.
        session_dropped: a saved browser session of it was deleted.
    """

    account: PortalAccountInfo
    retired: bool
    password_deleted: bool
    session_dropped: bool = False
