"""Acceptance runs against the real sandbox portal, real Chromium, real PostgreSQL and keyring.

One sandbox portal and one browser service per module; every test gets its own database, its
own portal account (fresh browser session) and its own keyring namespace.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from app.config import load_settings
from app.credentials import CredentialStore, portal_key
from app.domain.records import NewTransfer, PortalAccountInfo
from app.events import EventBus
from app.services.breakers import BreakerPolicy
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from automation.browser.service import BrowserService
from automation.browser.storage import StorageStateStore
from automation.journal import OutcomeJournal
from automation.portals.paciolan import PaciolanAdapter
from automation.portals.profile import load_profile
from automation.portals.protocol import PortalAdapter
from automation.runs.accounts import PortalAccounts, PortalPasswords
from automation.runs.job_builder import JobBuilder
from automation.runs.mfa import ChainedCodeProvider, CodeProvider
from automation.runs.recording import RunRecorder
from automation.runs.runner import (
    AbortSignal,
    AcceptanceRunner,
    RunJob,
    RunnerOptions,
    RunResult,
)
from automation.sandbox.portal import SandboxPortal
from automation.worker import default_adapter

SITE = "state-u"
_ids = itertools.count(1)


class MailRouter:
    """The portal's mailer: delivers each code email to whichever test mailbox asked for it."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[bytes], Any]] = {}
        self.sent: list[tuple[str, bytes]] = []

    def __call__(self, recipient: str, message: bytes) -> None:
        self.sent.append((recipient, message))
        deliver = self.routes.get(recipient.lower())
        if deliver is not None:
            deliver(message)


@pytest.fixture(scope="module")
def mail_router() -> MailRouter:
    """Where the portal's verification emails go."""
    return MailRouter()


@pytest.fixture(scope="module")
def portal(mail_router: MailRouter) -> Iterator[SandboxPortal]:
    """The sandbox portal with one site, for the whole module."""
    with SandboxPortal(mailer=mail_router) as server:
        server.add_site(SITE, "State University Athletics", max_attempts=3)
        yield server


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "portal" in request.fixturenames:
        server: SandboxPortal = request.getfixturevalue("portal")
        for site in (None, SITE):
            server.set_faults(site, error_rate=0.0, latency_ms=0, session_expiry_after=0,
                              bot_challenge=False, layout="normal", wrong_seats=False)


@pytest.fixture(scope="module")
def browser_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserService]:
    """One browser thread + Chromium for the module; storage states in a temp dir."""
    store = StorageStateStore(tmp_path_factory.mktemp("browser-state"), Fernet.generate_key())
    service = BrowserService(load_settings(environ={}).browser, store)
    service.start()
    yield service
    service.stop()


@dataclass
class World:
    """Builds accounts and transfers on both sides (portal and database) and runs them."""

    portal: SandboxPortal
    service: BrowserService
    engine: Engine
    credentials: CredentialStore
    journal_dir: Path
    mail_router: MailRouter
    bus: EventBus = field(default_factory=EventBus)
    events: list[Any] = field(default_factory=list)
    options: RunnerOptions = field(
        default_factory=lambda: RunnerOptions(live_frames=True, interactive=False)
    )
    max_attempts: int = 5
    profile: str = "sandbox_paciolan"
    codes: CodeProvider = field(default_factory=ChainedCodeProvider)
    accounts_used: list[str] = field(default_factory=list)
    breaker: BreakerPolicy | None = None  # None: the product's default policy

    def __post_init__(self) -> None:
        self.bus.subscribe(self.events.append)
        self.transfers = TransferService(self.engine, "tests")

    @property
    def recorder(self) -> RunRecorder:
        """Where runs are recorded (built fresh so tests may change max_attempts)."""
        return RunRecorder(self.engine, self.claims, OutcomeJournal(self.journal_dir),
                           PortalAccounts(self.engine, "tests"), "tests")

    @property
    def jobs(self) -> JobBuilder:
        """Claims to jobs, with this world's keyring."""
        return JobBuilder(self.claims, PortalAccounts(self.engine, "tests"),
                          PortalPasswords(self.credentials))

    @property
    def claims(self) -> ClaimService:
        """Claims with this world's max_attempts."""
        return ClaimService(self.engine, "tests", max_attempts=self.max_attempts,
                            breaker=self.breaker)

    def account(self, mfa: str = "off", password: str | None = None,
                keyring_password: str | None = None, site: str = SITE) -> PortalAccountInfo:
        """A fresh account on the portal and in the database, its password in the keyring."""
        email = f"desk{next(_ids)}-{secrets.token_hex(3)}@market.test"
        password = password or secrets.token_urlsafe(12)
        self.portal.add_account(site, email, password, "Market Desk", mfa=mfa)
        info = self.transfers.add_account("paciolan", self.portal.site_url(site), email)
        self.credentials.set(portal_key(str(info.id)), keyring_password or password)
        self.accounts_used.append(f"{info.site_url}|{email}")
        return info

    def transfer(self, account: PortalAccountInfo, seats: tuple[str, ...] = ("5", "6"),
                 with_link: bool = True, **portal_details: Any) -> tuple[int, Any]:
        """A pending portal transfer and its notice_received transfer row: (id, portal transfer)."""
        event = f"Football vs Rivals {next(_ids)}"
        starts = datetime.now(UTC) + timedelta(days=5)
        site = account.site_url.rstrip("/").rsplit("/", 1)[-1]
        sent = self.portal.create_transfer(
            site, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name=event, event_starts_at=starts, venue="Memorial Stadium",
            section="101", row="F", seats=list(seats), **portal_details,
        )
        row = self.transfers.create(NewTransfer(
            order_ref=f"ORD-{secrets.token_hex(4)}", event_name=event, account_id=account.id,
            seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
            event_starts_at=starts, section="101", row="F", seats=seats,
        ))
        self.transfers.mark_notice_received(
            row.row.id, accept_url=self.portal.accept_url(sent) if with_link else None,
            transfer_ref=sent.token, accept_by=sent.expires_at,
        )
        return row.row.id, sent

    def adapter_for(self, platform: str, site_url: str) -> PortalAdapter:
        """The adapter with this world's profile (empty: the product's own choice/detection)."""
        if not self.profile:
            return default_adapter(platform, site_url)
        return PaciolanAdapter(load_profile(self.profile), site_url)

    def runner(self) -> AcceptanceRunner:
        """A runner on the module's browser service."""
        return AcceptanceRunner(self.service, self.bus, self.adapter_for,
                                lambda job: self.codes, self.recorder, options=self.options)

    def claim_job(self, transfer_id: int) -> RunJob:
        """Claim exactly this transfer and build its job."""
        claim = self.claims.claim("test-worker", transfer_id)
        assert claim is not None
        return self.jobs.job_for(claim)

    def run(self, transfer_id: int, abort: AbortSignal | None = None,
            **options: Any) -> RunResult:
        """Claim and run one transfer to its outcome."""
        if options:
            self.options = replace(self.options, **options)
        job = self.claim_job(transfer_id)
        return self.runner().submit(job, abort).result(timeout=180)

    def of_type(self, kind: type) -> list[Any]:
        """The events of one type seen so far."""
        return [e for e in self.events if isinstance(e, kind)]

    def close_sessions(self) -> None:
        """Close this test's browser contexts."""
        for key in self.accounts_used:
            self.service.call(self.service.close_session(key), timeout=30)


@pytest.fixture
def world(portal: SandboxPortal, browser_service: BrowserService, engine: Engine,
          credential_store: CredentialStore, tmp_path: Path,
          mail_router: MailRouter) -> Iterator[World]:
    """A fresh world per test."""
    built = World(portal, browser_service, engine, credential_store, tmp_path / "journal",
                  mail_router)
    yield built
    built.close_sessions()
