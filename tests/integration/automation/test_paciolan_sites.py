"""Whole runs against the sandbox's modern and legacy Paciolan sites with the SHIPPED profiles.

No test fixes the profile: the product detects it from the sign-in markers (as on a real site),
signs in, accepts, and proves ownership from the account API (modern) or My Account (legacy).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.db.models import Alarm, Evidence, PortalAccount
from app.domain.states import Outcome
from app.resources import resource_path
from automation.portals import choice
from automation.portals.snapshot import SANITIZED_PREFIX
from automation.sandbox.portal import SandboxPortal
from tests.integration.automation.conftest import World

MODERN, LEGACY, FEES, REWORDED = "modern-u", "legacy-u", "fee-u", "reword-u"
CLEAN = {"misdeliver": False, "seats_unreadable": False, "api_down": False, "fee_cents": 0}


@pytest.fixture(autouse=True)
def paciolan_sites(portal: SandboxPortal) -> Iterator[None]:
    """Four real-layout sites (once per module), their faults cleared after each test."""
    for slug, layout in ((MODERN, "modern"), (LEGACY, "legacy"), (FEES, "modern"),
                         (REWORDED, "modern")):
        if slug not in portal.state.sites:
            portal.add_site(slug, f"{slug} Athletics", accept_window_hours=24)
        portal.set_faults(slug, layout=layout)
    yield
    for slug in (MODERN, LEGACY, FEES, REWORDED):
        portal.set_faults(slug, **CLEAN)


def run_shipped(world: World, site: str, **portal_details: object) -> tuple[int, object, object]:
    world.profile = ""  # the product's own choice: detection among the shipped profiles
    account = world.account(site=site)
    transfer_id, sent = world.transfer(account, **portal_details)
    return transfer_id, sent, world.run(transfer_id)


def test_modern_site_whole_chain_with_the_detected_paciolan_profile(world: World) -> None:
    world.portal.state.api_calls.clear()
    transfer_id, sent, result = run_shipped(world, MODERN)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert result.status == "verified"
    assert choice.remembered(world.portal.site_url(MODERN)) == "paciolan"
    with world.engine.connect() as conn:  # the first sign-in's detection is recorded
        recorded = conn.scalars(select(PortalAccount.profile).where(
            PortalAccount.site_url == world.portal.site_url(MODERN))).all()
    assert "paciolan" in recorded
    assert world.portal.accept_counts()[sent.token] == 1
    assert any("/pac-api/orderhistory-event/" in path for path in world.portal.state.api_calls)
    assert (sent.expires_at - sent.created_at).total_seconds() == 24 * 3600


def test_modern_site_without_accept_link_opens_from_the_pending_expander(
        world: World) -> None:
    transfer_id, sent, result = run_shipped(world, MODERN, with_link=False)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert world.portal.accept_counts()[sent.token] == 1
    assert any("portal profile for this site: paciolan" in getattr(e, "message", "")
               for e in world.events)


def test_legacy_site_whole_chain_with_the_detected_legacy_profile(world: World) -> None:
    transfer_id, sent, result = run_shipped(world, LEGACY)
    assert result.outcome is Outcome.ACCEPTED, result.detail
    assert choice.remembered(world.portal.site_url(LEGACY)) == "paciolan_legacy"
    assert world.portal.accept_counts()[sent.token] == 1


def test_seat_mismatch_from_the_account_api_is_wrong_tickets(world: World) -> None:
    world.portal.set_faults(MODERN, misdeliver=True)
    world.portal.state.api_calls.clear()
    _, _, result = run_shipped(world, MODERN)
    assert result.outcome is Outcome.WRONG_TICKETS, result.detail
    assert result.status == "needs_review"
    assert world.portal.state.api_calls  # decided by the API, with the page's token


def test_api_down_falls_back_to_my_account_and_still_compares_seats(world: World) -> None:
    world.portal.set_faults(MODERN, api_down=True)
    _, _, ok = run_shipped(world, MODERN)
    assert ok.outcome is Outcome.ACCEPTED, ok.detail
    world.portal.set_faults(MODERN, misdeliver=True)
    _, _, wrong = run_shipped(world, MODERN)
    assert wrong.outcome is Outcome.WRONG_TICKETS, wrong.detail


def test_legacy_seat_mismatch_on_my_account_is_wrong_tickets(world: World) -> None:
    world.portal.set_faults(LEGACY, misdeliver=True)
    _, _, result = run_shipped(world, LEGACY)
    assert result.outcome is Outcome.WRONG_TICKETS, result.detail


@pytest.mark.parametrize("site", [MODERN, LEGACY])
def test_unreadable_seats_end_unverified_with_evidence(world: World, site: str) -> None:
    world.portal.set_faults(site, seats_unreadable=True)
    transfer_id, _, result = run_shipped(world, site)
    assert result.outcome is Outcome.UNVERIFIED, result.detail
    assert result.status == "needs_review"
    with world.engine.connect() as conn:
        kinds = conn.scalars(select(Evidence.kind).where(
            Evidence.transfer_id == transfer_id)).all()
    assert "screenshot" in kinds


def test_fee_on_the_accept_page_ends_payment_required_before_accept(world: World) -> None:
    world.portal.set_faults(FEES, fee_cents=500)
    _, sent, result = run_shipped(world, FEES)
    assert result.outcome is Outcome.PAYMENT_REQUIRED, result.detail
    assert result.status == "needs_review" and "$5.00" in result.detail
    assert world.portal.accept_counts()[sent.token] == 0
    assert world.portal.state.require_transfer(sent.token).state == "pending"


def test_payment_step_after_accept_ends_payment_required_and_pays_nothing(
        world: World) -> None:
    world.portal.set_faults(FEES, fee_cents=500)
    world.portal.set_wording(FEES, fee_notice="Please note:")  # no fee words before Accept
    try:
        _, sent, result = run_shipped(world, FEES)
    finally:
        world.portal.state.site(FEES).wording.clear()
    assert result.outcome is Outcome.PAYMENT_REQUIRED, result.detail
    assert "/payment" in result.detail
    assert world.portal.state.require_transfer(sent.token).state == "pending"  # never paid


def test_changed_wording_is_fixed_by_an_override_profile_alone(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        database_url: str) -> None:
    # wording outside the shipped families ("Accept", "Claim Tickets", "Receive"...)
    world.portal.set_wording(REWORDED, accept_label="Add To My Account",
                             accepted_heading="You're All Set")
    drift_id, drifted, before = run_shipped(world, REWORDED)
    assert before.outcome is Outcome.SELECTOR_DRIFT, before.detail
    assert world.portal.accept_counts().get(drifted.token, 0) == 0
    with world.engine.connect() as conn:  # the alarm names the sanitized page, in evidence
        message = conn.scalar(select(Alarm.message).where(Alarm.kind == "selector_drift"))
        page = conn.execute(select(Evidence.id, Evidence.content).where(
            Evidence.transfer_id == drift_id,
            Evidence.filename.startswith(SANITIZED_PREFIX))).one()
    assert f"sanitized page: evidence #{page.id}" in (message or "")
    html = page.content.decode()
    assert "Add To My Account" in html
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)  # and the CLI exports it
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "config.toml"))
    assert main(["portal", "snapshot", "--transfer", str(drift_id), "--out",
                 str(tmp_path / "out")]) == 0
    exported = list((tmp_path / "out").glob(f"{SANITIZED_PREFIX}{drift_id}-*.html"))
    assert len(exported) == 1 and exported[0].read_bytes() == page.content
    assert world.accounts_used[-1].split("|")[1] not in html  # the account's email

    (tmp_path / "portals").mkdir()
    shipped = resource_path("portals", "paciolan.toml").read_text(encoding="utf-8")
    override = shipped.replace(
        "accept_button = [\n", 'accept_button = [\n    { role = "button", name = "Add To My '
        'Account" },\n').replace(
        "confirmation = [\n", 'confirmation = [\n    { role = "heading", name = "You\'re All '
        'Set" },\n')
    assert override != shipped
    (tmp_path / "portals" / "paciolan.toml").write_text(override, encoding="utf-8")
    _, fixed, after = run_shipped(world, REWORDED)
    assert after.outcome is Outcome.ACCEPTED, after.detail
    assert world.portal.accept_counts()[fixed.token] == 1
    shutil.rmtree(tmp_path / "portals")
