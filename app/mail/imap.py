"""IMAP connections for a configured mailbox (imapclient), and the reconnect backoff."""

from __future__ import annotations

import random
import ssl
from collections.abc import Callable

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from app.config import MailboxSettings
from app.errors import KnownError

Connect = Callable[[], imapclient.IMAPClient]
#: Errors that mean "the connection is gone or unusable": reconnect.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError, IMAPClientError, imapclient.IMAPClient.AbortError, EOFError, ssl.SSLError,
)


class MailboxLoginError(KnownError):
    """The IMAP server refused the mailbox's username or password."""


class MailboxUnreachableError(KnownError):
    """The IMAP server could not be reached."""


def connector(settings: MailboxSettings, password: str, timeout: float = 60.0) -> Connect:
    """A function opening a logged-in connection to ``settings`` (TLS per ``settings.tls``).

    The password stays inside the closure; it is never logged.
    """

    def connect() -> imapclient.IMAPClient:
        context = ssl.create_default_context() if settings.tls else None
        try:
            client = imapclient.IMAPClient(
                settings.host, port=settings.port, ssl=settings.tls, ssl_context=context,
                timeout=timeout,
            )
        except (OSError, ssl.SSLError) as exc:
            raise MailboxUnreachableError(
                f"mailbox {settings.name!r}: cannot reach {settings.host}:{settings.port} "
                f"({'TLS' if settings.tls else 'plain IMAP'}): {exc}"
            ) from exc
        client.normalise_times = False
        try:
            client.login(settings.username, password)
        except LoginError as exc:
            client.shutdown()
            raise MailboxLoginError(
                f"mailbox {settings.name!r}: {settings.host} refused the login of "
                f"{settings.username!r}; check the app password in the keyring "
                f"(`transferdesk credentials set mailbox {settings.name}`)"
            ) from exc
        except BaseException:
            client.shutdown()
            raise
        return client

    return connect


def close_quietly(client: imapclient.IMAPClient | None) -> None:
    """Log out (or just drop the socket) without raising."""
    if client is None:
        return
    try:
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            pass


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: uniform(c/2, c), c = min(cap, base * 2**attempt)."""
    ceiling = min(cap, base * (2 ** min(attempt, 20)))
    return (rng or random).uniform(ceiling / 2, ceiling)
