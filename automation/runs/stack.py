"""The run stack, assembled once: claims, job builder, browser service, runner, recorder and
verification codes.

The worker, the desk's run control and the Settings window's test sign-in all build their
browser and code reader here (no Qt), so they behave alike: emailed verification codes are read
from the first configured mailbox first; where a person is at the keyboard (``interactive``),
the operator is asked next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from app.config import Settings
from app.credentials import CredentialStore, mailbox_key
from app.errors import KnownError
from app.events import EventBus
from app.services.breakers import policy_of
from app.services.claims import ClaimService
from automation.browser.service import BrowserService
from automation.browser.storage import StorageStateStore
from automation.journal import OutcomeJournal
from automation.runs.accounts import PortalAccounts, PortalPasswords
from automation.runs.job_builder import JobBuilder
from automation.runs.jobs import AdapterFor
from automation.runs.mfa import MailCodeLookup, providers_for
from automation.runs.ratelimit import AccountRateLimiter
from automation.runs.recording import RunRecorder
from automation.runs.runner import AcceptanceRunner, RunnerOptions

log = logging.getLogger(__name__)


def mailbox_code_lookup(
    settings: Settings, credentials: CredentialStore, check_interval: float = 2.0
) -> MailCodeLookup | None:
    """``wait_for_code`` of the first configured mailbox (blocking: reads the keyring).

    Returns:
        None when no mailbox is configured or its password is not in the keyring (a warning
        is logged when the keyring cannot be read): codes then come only from the operator.
    """
    from app.mail.codes import CodeReader
    from app.mail.imap import connector

    if not settings.mailboxes:
        return None
    box = settings.mailboxes[0]
    try:
        password = credentials.get(mailbox_key(box.name))
    except KnownError as exc:
        log.warning("verification codes: cannot read the mailbox password: %s", exc)
        return None
    if not password:
        log.info("verification codes: no password stored for mailbox %s", box.name)
        return None
    return CodeReader(connector(box, password), box.folder, check_interval).wait_for_code


def browser_service(settings: Settings, credentials: CredentialStore | None) -> BrowserService:
    """The browser service (not started); without ``credentials`` no session is ever saved."""
    if credentials is None:
        return BrowserService(settings.browser, store=None)
    key = credentials.storage_key().encode("ascii")
    return BrowserService(settings.browser, StorageStateStore(settings.data_dir / "browser", key))


@dataclass(frozen=True)
class StackOptions:
    """How the stack runs: headless worker or desk, and its timeouts."""

    interactive: bool = False  # the desk: takeover and operator-typed codes
    live_frames: bool = False
    rate_limit_seconds: float = 0.25
    mail_timeout: float = 60.0
    operator_timeout: float = 300.0
    lease_seconds: float = 120.0


class RunStack:
    """Claims + job builder + browser service + acceptance runner + run recorder + code
    providers on one database.

    Args:
        settings: browser, data dir (journal, sessions), attempts and evidence limits.
        engine: the database the runs are recorded in.
        credentials: the keyring (portal passwords, storage-state key).
        bus: where run events go (and operator code requests, when interactive).
        actor: the name written to the audit log.
        options: worker or desk behaviour.
        role: PostgreSQL role the recorder acts as.
        adapter_for: ``(platform, site_url) -> PortalAdapter`` (default: the worker's).
        code_lookup: emailed codes; None reads them from the first configured mailbox (when
            there is one) at :meth:`start`.
    """

    def __init__(
        self, settings: Settings, engine: Engine, credentials: CredentialStore, bus: EventBus,
        actor: str, options: StackOptions, *, role: str | None = None,
        adapter_for: AdapterFor | None = None, code_lookup: MailCodeLookup | None = None,
    ) -> None:
        self.settings = settings
        self.credentials = credentials
        self.bus = bus
        self.options = options
        self.adapter_for = adapter_for
        self.code_lookup = code_lookup
        self.claims = ClaimService(engine, actor, role, max_attempts=settings.max_attempts,
                                   lease_seconds=options.lease_seconds,
                                   breaker=policy_of(settings))
        accounts = PortalAccounts(engine, actor, role)
        self.jobs = JobBuilder(self.claims, accounts, PortalPasswords(credentials))
        journal = OutcomeJournal(settings.data_dir / "journal")
        self.recorder = RunRecorder(engine, self.claims, journal, accounts, actor, role,
                                    evidence_max_bytes=settings.evidence_max_bytes)
        self.service: BrowserService | None = None
        self._runner: AcceptanceRunner | None = None

    @property
    def runner(self) -> AcceptanceRunner:
        """The runner (after :meth:`start`)."""
        if self._runner is None:
            raise RuntimeError("the run stack is not started")
        return self._runner

    def start(self, browser_timeout: float | None = None) -> AcceptanceRunner:
        """Start the browser thread and build the runner (blocking: reads the keyring).

        Args:
            browser_timeout: wait this long for Chromium to launch, so a browser that cannot
                start fails here with one clear line (None: it launches on the first run).
        """
        if self.code_lookup is None:
            self.code_lookup = mailbox_code_lookup(self.settings, self.credentials)
        if self.adapter_for is None:
            from automation.worker import default_adapter  # worker imports this module

            self.adapter_for = default_adapter
        opts = self.options
        service = browser_service(self.settings, self.credentials)
        service.start()
        self.service = service
        try:
            if browser_timeout is not None:
                service.call(service.browser(), timeout=browser_timeout)
        except BaseException:
            self.stop()
            raise
        self._runner = AcceptanceRunner(
            service, self.bus, self.adapter_for,
            providers_for(self.bus, self.code_lookup, opts.interactive, opts.mail_timeout,
                          opts.operator_timeout),
            self.recorder, AccountRateLimiter(opts.rate_limit_seconds),
            RunnerOptions(interactive=opts.interactive, live_frames=opts.live_frames),
        )
        return self._runner

    def stop(self) -> None:
        """Stop the browser thread (running runs are the caller's to finish first)."""
        if self.service is not None:
            self.service.stop()
