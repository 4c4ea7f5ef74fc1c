"""Which URLs the browser may open with the portal session, and how URLs are shown.

One rule for every path that opens a page or stores an accept link (the mail matcher, the
manual link in the Notices view, the runner before each navigation and each fill): a URL is
trusted only on the account's registered site, with the exact same scheme, host and port.
Real sites are https; plain http is allowed only on a loopback host (the sandbox portal).

:func:`redact_url` / :func:`redact_text` hide query-string values, user info and fragments
(accept links carry transfer tokens) wherever a URL is logged, stored as a detail or shown.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.domain.errors import DomainError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
REDACTED = "…"
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UntrustedLinkError(DomainError):
    """A URL is not on the portal account's registered site."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.lower().strip("[]")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL with a host, else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def site_problem(site_url: str) -> str | None:
    """Why ``site_url`` cannot be a portal site (None when it can)."""
    found = origin(site_url)
    if found is None:
        return f"{redact_url(site_url)!r} is not an http(s) URL with a host"
    scheme, host, _ = found
    if scheme != "https" and not is_loopback(host):
        return f"{redact_url(site_url)!r} is plain http on a real host (https is required)"
    if urlsplit(site_url.strip()).username is not None:
        return f"{redact_url(site_url)!r} carries credentials (they belong in the keyring)"
    return None


def link_problem(url: str, site_url: str | None) -> str | None:
    """Why the browser must not open ``url`` in the session of ``site_url`` (None: it may)."""
    if not site_url:
        return "the transfer has no portal account, so no site to check the link against"
    problem = site_problem(site_url)
    if problem is not None:
        return f"the account's site {problem}"
    found = origin(url)
    if found is None:
        return f"{redact_url(url)!r} is not an http(s) link"
    if found != origin(site_url):
        scheme, host, port = found
        return (f"{scheme}://{host}:{port} is not the account's site "
                f"{redact_url(site_url)}")
    return None


def is_on_site(url: str, site_url: str) -> bool:
    """True when ``url`` is on ``site_url`` (same scheme, host and port; a valid site)."""
    return link_problem(url, site_url) is None


def check_accept_url(url: str | None, site_url: str | None) -> str | None:
    """The accept link if the browser may open it for this account's site.

    Raises:
        UntrustedLinkError: the link points anywhere else (and why).
    """
    if not url:
        return None
    problem = link_problem(url, site_url)
    if problem is not None:
        raise UntrustedLinkError(f"untrusted accept link: {problem}")
    return url


def redact_url(url: str) -> str:
    """``url`` with query values, the password/user info and the fragment replaced by ``…``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    except ValueError:
        return REDACTED
    query = "&".join(
        f"{pair.split('=', 1)[0]}={REDACTED}" if "=" in pair else REDACTED
        for pair in parts.query.split("&") if pair
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query,
                       REDACTED if parts.fragment else ""))


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted (see :func:`redact_url`)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact the URLs in one log record's message (formatted once, arguments dropped)."""
    message = record.getMessage()
    redacted = redact_text(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    return record


def install_log_redaction() -> None:
    """Make every log record, whichever handler writes it, carry redacted URLs (idempotent).

    Installed as the record factory, so handlers added later (the desk's log view, a
    demo's file handler) are covered too.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_urls", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(factory(*args, **kwargs))

    make.redacts_urls = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)
