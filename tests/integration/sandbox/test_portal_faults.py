"""Fault switches in real Chromium: 5xx rate (global and per site), latency, session expiry,
the press-and-hold bot challenge, and the admin API that sets them."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from automation.sandbox.portal import PortalStartError, PortalStateError, SandboxPortal
from automation.sandbox.portal.client import PortalAdminClient, PortalAdminError
from tests.integration.sandbox.conftest import (
    DESK,
    OTHER_SITE,
    PASSWORD,
    SITE,
    World,
    fill_credentials,
    sign_in_fast,
)


@pytest.fixture(autouse=True)
def no_faults_after(world: World) -> Iterator[None]:
    yield
    world.portal.clear_faults()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_error_rate_per_site_and_global(page: Page, world: World) -> None:
    world.portal.set_faults(SITE, error_rate=1.0)
    response = page.goto(f"{world.site_url()}/signin")
    assert response is not None and response.status == 503
    expect(page.get_by_role("heading", name="Service Unavailable")).to_be_visible()
    assert _status(f"{world.site_url(OTHER_SITE)}/signin") == 200

    world.portal.clear_faults()
    world.portal.set_faults(None, error_rate=1.0)
    world.portal.set_faults(SITE, error_rate=0.0)  # a site override wins over the global switch
    assert _status(f"{world.site_url(SITE)}/signin") == 200
    assert _status(f"{world.site_url(OTHER_SITE)}/signin") == 503


def test_partial_error_rate_fails_some_requests(world: World) -> None:
    world.portal.set_faults(SITE, error_rate=0.5)
    statuses = [_status(f"{world.site_url()}/signin") for _ in range(60)]
    assert set(statuses) == {200, 503}


def test_latency_is_added_to_every_page(world: World) -> None:
    world.portal.set_faults(SITE, latency_ms=400)
    started = time.monotonic()
    assert _status(f"{world.site_url()}/signin") == 200
    assert time.monotonic() - started >= 0.4


def test_session_expires_after_n_requests(page: Page, world: World) -> None:
    world.portal.set_faults(SITE, session_expiry_after=2)
    sign_in_fast(page, world)
    account_url = f"{world.site_url()}/account"
    for _ in range(2):
        page.goto(account_url)
        expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    page.goto(account_url)
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your session has expired. Please sign in again."
    )
    fill_credentials(page, DESK, PASSWORD)  # signing in again returns to the page asked for
    expect(page).to_have_url(account_url)


def test_bot_challenge_needs_press_and_hold(page: Page, world: World) -> None:
    world.portal.set_faults(SITE, bot_challenge=True)
    response = page.goto(f"{world.site_url()}/account")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Please verify you are a human")).to_be_visible()
    hold = page.get_by_role("button", name="Press & Hold")
    hold.click()  # a click is not a hold: pointerup stops the timer before it can submit
    expect(page.locator("#held-ms")).to_have_value("0")
    expect(hold).to_be_visible()
    assert _status(f"{world.site_url()}/signin") == 403  # no cookie, still challenged

    hold.hover()
    with page.expect_navigation(url=re.compile(r"/signin$")):
        page.mouse.down()  # the page submits by itself once held for 1.5 s
    page.mouse.up()
    expect(page.get_by_label("Email Address")).to_be_visible()
    page.goto(f"{world.site_url()}/signin")  # the cookie lets later pages through
    expect(page.get_by_label("Email Address")).to_be_visible()


def test_forged_challenge_answers_are_refused(page: Page, world: World) -> None:
    world.portal.set_faults(SITE, bot_challenge=True)
    page.goto(f"{world.site_url()}/account")
    nonce = page.locator("input[name=nonce]").get_attribute("value")
    url = f"{world.site_url()}/challenge"
    too_short = page.request.post(url, form={"nonce": nonce or "", "held_ms": "200"})
    assert too_short.status == 403
    unknown = page.request.post(url, form={"nonce": "made-up", "held_ms": "5000"})
    assert unknown.status == 403
    assert page.request.get(f"{world.site_url()}/signin").status == 403


def test_admin_api_sets_faults_and_reports_counts(world: World) -> None:
    client = PortalAdminClient(world.portal.base_url)
    effective = client.set_faults(OTHER_SITE, latency_ms=5, layout="alternate")
    assert effective["layout"] == "alternate" and effective["latency_ms"] == 5
    faults = client.call("GET", "/faults")
    assert faults["sites"][OTHER_SITE]["layout"] == "alternate"
    assert faults["sites"][SITE]["layout"] == "normal"
    with pytest.raises(PortalAdminError, match="unknown fault switch"):
        client.set_faults(SITE, meteor_strike=True)
    with pytest.raises(PortalAdminError, match="layout must be one of"):
        client.set_faults(SITE, layout="fancy")
    with pytest.raises(PortalAdminError, match="no such site"):
        client.set_faults("nowhere", latency_ms=1)


def test_bad_fault_values_raise_known_errors(world: World) -> None:
    with pytest.raises(PortalStateError, match="error_rate"):
        world.portal.set_faults(SITE, error_rate=1.5)


def test_admin_rejects_malformed_json(world: World) -> None:
    request = urllib.request.Request(
        f"{world.portal.base_url}/_admin/faults", data=b"{not json", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert caught.value.code == 400
    assert "bad request" in json.loads(caught.value.read())["error"]


def test_busy_port_is_a_clear_error(world: World) -> None:
    with pytest.raises(PortalStartError, match="address already in use"):
        SandboxPortal(port=world.portal.port).start()
