"""A real sign-in to a portal account: the desk's "Test sign-in", ``accounts edit --test``.

:func:`check_account_sign_in` is the one entry for a saved account (the typed password, else the
keyring's ``portal:<id>``). :func:`check_portal_sign_in` is blocking (run it in the executor, no
Qt here): it starts its own :class:`~automation.browser.service.BrowserService` (its own thread
and loop, like every browser run), signs in with the platform's adapter in a fresh browser
context (no saved session, so the password is really checked, and the desk's saved session is
neither used nor replaced), confirms that My Account opens, then stops the browser. A
verification code is read from the configured mailbox first, else asked of the operator through
``ask_code`` (the window shows an inline field). The password comes from the keyring and is
never logged or shown.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.config import Settings
from app.credentials import CredentialStore, portal_key
from app.errors import KnownError
from automation.browser.service import BrowserService
from automation.portals.protocol import ChallengeShownError, PortalAdapter, PortalCredentials
from automation.runs.events import Answer
from automation.runs.mfa import ChainedCodeProvider, CodeProvider, MailboxCodeProvider
from automation.runs.outcomes import Outcome, RunFailedError
from automation.runs.stack import browser_service, mailbox_code_lookup

log = logging.getLogger(__name__)
SESSION_KEY = "settings-sign-in-test"
#: ``ask_code(account_email, answer)``: show a prompt; the UI calls ``answer.set(code or None)``.
AskCode = Callable[[str, Answer], None]


class PortalCheckError(KnownError):
    """The test sign-in did not succeed; the message says why (never the password)."""


@dataclass(frozen=True)
class SignInReport:
    """A successful test sign-in."""

    username: str
    site_url: str
    code_source: str | None  # None: no code asked; "mailbox" or "typed"
    seconds: float

    def summary(self) -> str:
        """One line for the settings window."""
        code = {None: "", "mailbox": "; verification code read from the mailbox",
                "typed": "; verification code typed"}[self.code_source]
        return f"Signed in as {self.username} on {self.site_url} in {self.seconds:.1f} s{code}"


class PromptCodeProvider:
    """Asks the operator (through ``ask``) and waits for the answer off the browser loop."""

    def __init__(self, ask: AskCode, timeout: float = 300.0) -> None:
        self._ask = ask
        self.timeout = timeout
        self.asked = False

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        """The typed code, or None when the operator declines or does not answer in time."""
        answer = Answer()
        self.asked = True
        self._ask(account, answer)
        code = await asyncio.to_thread(answer.wait, self.timeout)
        return code.strip() if code else None


class _RecordingCodes:
    """Remembers whether the portal asked for a code at all."""

    def __init__(self, inner: CodeProvider) -> None:
        self._inner = inner
        self.asked = False

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        self.asked = True
        return await self._inner.get_code(account, newer_than)


def mailbox_codes(
    settings: Settings, store: CredentialStore, timeout: float
) -> CodeProvider | None:
    """Codes from the first configured mailbox (None: no mailbox or no password stored)."""
    lookup = mailbox_code_lookup(settings, store, check_interval=2.0)
    return None if lookup is None else MailboxCodeProvider(lookup, timeout)


def check_account_sign_in(
    settings: Settings, account_id: int, platform: str, site_url: str, username: str,
    password: str | None, ask_code: AskCode, *, no_password_hint: str,
    mail_timeout: float = 45.0, store: CredentialStore | None = None,
) -> SignInReport:
    """Sign in as a saved account with ``password``, else the one stored in the keyring.

    Raises:
        PortalCheckError: no password stored (``no_password_hint`` says where to put one), or
            as :func:`check_portal_sign_in`.
        KeyringUnavailableError: the keyring is locked or unreachable.
    """
    store = store or CredentialStore()
    secret = password or store.get(portal_key(str(account_id)))
    if not secret:
        raise PortalCheckError(f"no password stored: {no_password_hint}")
    return check_portal_sign_in(settings, platform, PortalCredentials(site_url, username, secret),
                                ask_code, mail_timeout=mail_timeout, store=store)


def check_portal_sign_in(
    settings: Settings, platform: str, credentials: PortalCredentials, ask_code: AskCode,
    *, mail_timeout: float = 45.0, prompt_timeout: float = 300.0,
    adapter_for: Callable[[str, str], PortalAdapter] | None = None,
    store: CredentialStore | None = None, timeout: float = 420.0,
) -> SignInReport:
    """Sign in to the portal for real (blocking), then sign the browser out by closing it.

    Raises:
        PortalCheckError: refused password, locked account, no code, bot challenge, drift,
            unreachable site or a timeout.
        BrowserUnavailableError: the browser cannot start.
    """
    from automation.worker import default_adapter

    prompt = PromptCodeProvider(ask_code, prompt_timeout)
    chain: list[CodeProvider] = []
    if (from_mail := mailbox_codes(settings, store or CredentialStore(), mail_timeout)):
        chain.append(from_mail)
    codes = _RecordingCodes(ChainedCodeProvider(*chain, prompt))
    adapter = (adapter_for or default_adapter)(platform, credentials.site_url)
    service = browser_service(settings, None)  # a fresh context: no saved session
    started = time.monotonic()
    service.start()
    try:
        service.call(_sign_in(service, adapter, credentials, codes), timeout)
    except RunFailedError as exc:
        raise PortalCheckError(_describe(exc)) from None
    except ChallengeShownError:
        raise PortalCheckError(
            "the portal shows a bot challenge: sign in once by hand in a browser, then test "
            "again") from None
    except concurrent.futures.TimeoutError:
        raise PortalCheckError(f"no answer from the portal within {timeout:.0f} s") from None
    except KnownError:
        raise
    except Exception as exc:  # Playwright: connection refused, DNS, navigation timeout
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PortalCheckError(f"cannot reach {credentials.site_url}: {first}") from None
    finally:
        service.stop()
    source = None if not codes.asked else "typed" if prompt.asked else "mailbox"
    return SignInReport(credentials.username, credentials.site_url, source,
                        time.monotonic() - started)


async def _sign_in(service: BrowserService, adapter: PortalAdapter,
                   credentials: PortalCredentials, codes: CodeProvider) -> None:
    """On the browser loop: a fresh context, the full sign-in, then My Account must open."""
    session = await service.session(SESSION_KEY)
    try:
        page = await session.page()
        await adapter.sign_in(page, credentials, codes)
        if await adapter.ensure_signed_in(page, credentials, codes):
            raise PortalCheckError("the sign-in went through but My Account asked to sign in "
                                   "again (the portal did not keep the session)")
    finally:
        await service.close_session(SESSION_KEY, save=False)


def _describe(exc: RunFailedError) -> str:
    what = {
        Outcome.LOGIN_FAILED: "the portal refused the sign-in",
        Outcome.MFA_TIMEOUT: "no verification code (none in the mailbox, none typed)",
        Outcome.SELECTOR_DRIFT: "the sign-in page looks different from the selector profile",
        Outcome.PORTAL_ERROR: "the portal answered with an error",
        Outcome.BLOCKED: "the site refuses automated browsers (never worked around: sign in "
                         "by hand in your own browser, or set the account to assisted)",
    }.get(exc.outcome, exc.outcome.value.replace("_", " "))
    return f"{what}: {exc.detail}" if exc.detail else what
