"""Whole runs against held-out portal pages the shipped profiles were not written against.

Each variant in ``heldout_pages/`` (written from the public research alone, see its README) is
served on 127.0.0.1 and run through the product's own chain: a portal account without a
recorded profile (detection among the shipped profiles, as for a real site), a transfer with the
variant's link, the claim, the runner in real Chromium, the recorded outcome. Every wait is on a
page state (the flow's own polling); nothing sleeps.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.credentials import CredentialStore, portal_key
from app.domain.records import NewTransfer
from app.domain.states import SUCCESS_OUTCOMES, Outcome
from app.events import EventBus
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from automation.browser.service import BrowserService
from automation.journal import OutcomeJournal
from automation.runs.accounts import PortalAccounts, PortalPasswords
from automation.runs.job_builder import JobBuilder
from automation.runs.mfa import ChainedCodeProvider
from automation.runs.recording import RunRecorder
from automation.runs.runner import AcceptanceRunner, RunnerOptions, RunResult
from automation.worker import default_adapter
from tests.integration.automation.conftest import browser_service  # noqa: F401 (fixture)
from tests.integration.sandbox.heldout_pages import HeldoutSite, Variant, variants

EVENT, SECTION, ROW, SEATS = "Football vs. Riverside", "104", "12", ("7", "8")
VARIANTS = variants()


@dataclass
class HeldoutRun:
    """One variant's site, account and transfer, run once through the real chain."""

    site: HeldoutSite
    result: RunResult


def run_variant(variant: Variant, service: BrowserService, engine: Engine,
                credentials: CredentialStore, journal: Path) -> HeldoutRun:
    transfers = TransferService(engine, "tests")
    claims = ClaimService(engine, "tests", max_attempts=5)
    with HeldoutSite(variant) as site:
        email = f"desk-{secrets.token_hex(3)}@market.test"
        account = transfers.add_account("paciolan", site.url, email)
        credentials.set(portal_key(str(account.id)), secrets.token_urlsafe(12))
        starts = datetime.now(UTC) + timedelta(days=5)
        row = transfers.create(NewTransfer(
            order_ref=f"ORD-{secrets.token_hex(4)}", event_name=EVENT, account_id=account.id,
            seller_name="Alex P.", seller_email="alex@seller.test", venue="Memorial Stadium",
            event_starts_at=starts, section=SECTION, row=ROW, seats=SEATS))
        transfers.mark_notice_received(row.row.id, accept_url=site.link, transfer_ref=None,
                                       accept_by=starts - timedelta(hours=4))
        recorder = RunRecorder(engine, claims, OutcomeJournal(journal),
                               PortalAccounts(engine, "tests"), "tests")
        jobs = JobBuilder(claims, PortalAccounts(engine, "tests"), PortalPasswords(credentials))
        runner = AcceptanceRunner(service, EventBus(), default_adapter,
                                  lambda job: ChainedCodeProvider(), recorder,
                                  options=RunnerOptions(live_frames=False, interactive=False))
        claim = claims.claim("heldout-worker", row.row.id)
        assert claim is not None
        try:
            result = runner.submit(jobs.job_for(claim)).result(timeout=180)
        finally:
            service.call(service.close_session(f"{account.site_url}|{email}"), timeout=30)
        return HeldoutRun(site, result)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_heldout_variant_ends_as_expected(
        variant: Variant, browser_service: BrowserService,  # noqa: F811
        engine: Engine, credential_store: CredentialStore, tmp_path: Path) -> None:
    run = run_variant(variant, browser_service, engine, credential_store, tmp_path / "journal")
    outcome = run.result.outcome
    print(f"\nHELDOUT {variant.name}: {outcome.value} ({run.result.status}): {run.result.detail}")
    assert outcome is Outcome(variant.expected), run.result.detail
    assert run.result.status == ("verified" if outcome in SUCCESS_OUTCOMES
                                 else "needs_review"), run.result.detail
    assert variant.detail in run.result.detail
    assert run.site.pings("accepted") == variant.accept_clicks  # at most one Accept, ever
    for path in variant.visits:
        assert path in run.site.requests
    for path in variant.never_visits:
        assert path not in run.site.requests
