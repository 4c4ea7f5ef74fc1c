"""The sandbox's modern and legacy Paciolan layouts, driven by hand in real Chromium: the real
routes and ids, the pac-authz token on /pac-api/, per-site wording, the fee step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.integration.sandbox.conftest import DESK, PASSWORD, World, transfer_details

MODERN, LEGACY = "layout-modern", "layout-legacy"


@pytest.fixture(scope="module", autouse=True)
def sites(world: World) -> None:
    for slug, layout in ((MODERN, "modern"), (LEGACY, "legacy")):
        world.portal.add_site(slug, f"{slug} Athletics", accept_window_hours=24)
        world.portal.add_account(slug, DESK, PASSWORD, "Market Desk")
        world.portal.set_faults(slug, layout=layout)


def modern_sign_in(page: Page, world: World) -> None:
    page.goto(f"{world.site_url(MODERN)}/myaccount")
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.fill("#signin-email-input", DESK)
    page.click("#signin-submit-btn")
    page.fill("#signin-pass-input", PASSWORD)
    page.check("[data-testid='signin-kmsi-checkbox']")
    page.click("#signin-submit-btn")
    page.wait_for_selector("[data-testid='my-account-container']")


def api(page: Page, path: str, token: str | None) -> dict[str, Any]:
    return page.evaluate(
        """async ([url, token]) => {
            const r = await fetch(url, {headers: token ? {"pac-authz": token} : {}});
            return {status: r.status, body: await r.json()};
        }""", [path, token])


def test_modern_api_answers_only_with_the_pages_token(page: Page, world: World) -> None:
    sent = world.portal.create_transfer(MODERN, DESK, **transfer_details(seats=("7", "8")))
    world.portal.state.accept(sent.token)
    modern_sign_in(page, world)
    expect(page.locator("div[type='success']")).to_be_visible()
    html = page.content()
    assert html.count('"pacAuthz":"') == 1
    token = html.split('"pacAuthz":"', 1)[1].split('"', 1)[0]
    base = f"/tickets/{MODERN}/pac-api"
    assert api(page, f"{base}/accounts", None)["status"] == 403
    assert api(page, f"{base}/accounts", "0" * 8 + token[8:])["status"] == 403
    accounts = api(page, f"{base}/accounts", token)
    assert accounts["status"] == 200 and isinstance(accounts["body"]["key"]["id"], int)

    link = page.locator("[data-testid^='upcoming-events-link']").first
    href = link.get_attribute("href") or ""
    season, event = href.rstrip("/").split("/")[-2:]
    link.click()
    expect(page.locator("#event-details-my-tickets-card li")).to_have_count(2)
    orders = api(page, f"{base}/orderhistory-event/{season}/{event}", token)
    seats = [s["transferSeatId"].split("^") for s in orders["body"]["events"][0]["seats"]]
    assert sorted((f[2].split(":")[1], f[3], f[4]) for f in seats) == [
        (sent.section, sent.row, "7"), (sent.section, sent.row, "8")]

    page.goto(f"{world.site_url(MODERN)}/REGLogoff")
    expect(page).to_have_url(re.compile(r"/signin$"))
    assert api(page, f"{base}/accounts", token)["status"] == 401


def test_legacy_one_step_login_lands_on_the_ncommerce3_account(page: Page,
                                                                world: World) -> None:
    page.goto(f"{world.site_url(LEGACY)}/cgi-bin/ncommerce3/EVExecMacro?linkID=x&evm=myac")
    expect(page).to_have_url(re.compile(r"/myaccount/login\?.*fromLegacy=1"))
    page.fill("#user_cred", DESK)
    page.fill("#pass_cred", PASSWORD)
    page.click("[name='submitForm']")  # the sign-in navigates: wait for where it lands
    expect(page).to_have_url(re.compile(r"cgi-bin/ncommerce3/EVExecMacro\?.*evm=myac"))
    expect(page.get_by_role("table", name="My Tickets")).to_be_visible()


def test_wording_and_window_and_cancel_are_per_site(page: Page, world: World) -> None:
    world.portal.set_wording(MODERN, cancelled="The sender took these tickets back.")
    sent = world.portal.create_transfer(MODERN, DESK, **transfer_details())
    assert (sent.expires_at - sent.created_at).total_seconds() == 24 * 3600
    modern_sign_in(page, world)
    page.goto(world.portal.accept_url(sent))
    expect(page.get_by_role("button", name="Accept Transfer")).to_be_visible()
    world.portal.cancel_transfer(sent.token)
    page.reload()
    expect(page.get_by_text("The sender took these tickets back.")).to_be_visible()
    expect(page.get_by_role("button", name="Accept Transfer")).to_have_count(0)


def test_a_fee_sends_accept_to_a_payment_step_and_nothing_is_accepted(
        page: Page, world: World) -> None:
    sent = world.portal.create_transfer(MODERN, DESK, **transfer_details(), fee_cents=500)
    modern_sign_in(page, world)
    page.goto(world.portal.accept_url(sent))
    expect(page.get_by_text("$5.00")).to_be_visible()
    page.get_by_role("button", name="Accept Transfer").click()
    page.wait_for_url("**/payment")
    expect(page.get_by_label("Card number")).to_be_visible()
    assert world.portal.state.require_transfer(sent.token).state == "pending"


def test_tickets_received_on_a_transfer_once_site_say_so(page: Page, world: World) -> None:
    world.portal.add_site("once-u", "Once U Athletics", transfer_once=True)
    world.portal.add_account("once-u", DESK, PASSWORD, "Market Desk")
    world.portal.set_faults("once-u", layout="legacy")
    sent = world.portal.create_transfer("once-u", DESK, **transfer_details(seats=("3",)))
    world.portal.state.accept(sent.token)
    (ticket,) = world.portal.state.account("once-u", DESK).tickets  # type: ignore[union-attr]
    assert ticket.transferable is False
    page.goto(f"{world.site_url('once-u')}/myaccount/login?&shopperContext=ST&fromLegacy=1")
    page.fill("#user_cred", DESK)
    page.fill("#pass_cred", PASSWORD)
    page.click("[name='submitForm']")
    expect(page.get_by_text("Seat 3 · Not transferable")).to_be_visible()
