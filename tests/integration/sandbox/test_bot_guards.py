"""The sandbox's bot-defence guards in real Chromium: an automated browser is refused.

The person's own browser is outside the sandbox: tests stand in for it with the admin API's
``accept`` (as if accepted by hand), never by disguising the automated browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from automation.sandbox.portal.client import PortalAdminClient
from tests.integration.sandbox.conftest import (
    DESK,
    OTHER_SITE,
    SITE,
    World,
    sign_in_fast,
    transfer_details,
)


@pytest.fixture(autouse=True)
def no_faults_after(world: World) -> Iterator[None]:
    yield
    world.portal.clear_faults()


def test_automation_guard_refuses_every_request_of_an_automated_browser(
        page: Page, world: World) -> None:
    world.portal.set_faults(SITE, automation_guard=True)
    before = world.portal.request_count(SITE)
    response = page.goto(f"{world.site_url()}/account")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Access to this page has been denied")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Reference ID: [0-9a-f-]{17}"))).to_be_visible()
    assert page.evaluate("navigator.webdriver") is True
    # the guard's inline script ran at parse and did not clear the form to submit it
    expect(page.locator("#px-verify input[name=webdriver]")).to_have_value("true")
    expect(page.get_by_role("heading", name="Access to this page has been denied")).to_be_visible()
    assert page.request.get(f"{world.site_url()}/signin").status == 403, "no cookie, no page"
    assert world.portal.request_count(SITE) > before
    other = page.request.get(f"{world.site_url(OTHER_SITE)}/signin")
    assert other.status == 200, "the guard is per site"


def test_a_person_accepting_by_hand_is_the_admin_apis_stand_in(world: World) -> None:
    world.portal.set_faults(SITE, automation_guard=True)
    transfer = world.portal.create_transfer(SITE, DESK, **transfer_details())
    client = PortalAdminClient(world.portal.base_url)
    done = client.call("POST", f"/transfers/{transfer.token}/accept")
    assert done["state"] == "accepted"
    counts = client.call("GET", "/requests")
    assert set(counts) == {"requests", "refusals"}


def test_press_and_hold_never_clears_in_an_automated_browser(page: Page, world: World) -> None:
    world.portal.set_faults(SITE, hold_guard=True)
    page.goto(f"{world.site_url()}/account")
    hold = page.get_by_role("button", name="Press & Hold")
    expect(hold).to_be_visible()
    hold.hover()
    with page.expect_navigation(url=re.compile(r"/_px/hold$")) as nav:
        page.mouse.down()  # held well past the 1.5 s the page asks for
    page.mouse.up()
    assert nav.value is not None and nav.value.status == 403
    expect(page.get_by_role("heading", name="Access to this page has been denied")).to_be_visible()
    expect(page.get_by_role("button", name="Press & Hold")).to_be_visible()
    assert page.request.get(f"{world.site_url()}/account").status == 403


def test_rate_guard_refuses_an_account_after_n_requests_in_m_seconds(
        page: Page, world: World) -> None:
    world.portal.set_faults(SITE, rate_limit_requests=4, rate_limit_seconds=60)
    sign_in_fast(page, world)  # 2 requests (with the redirect target not followed)
    account = f"{world.site_url()}/account"
    statuses = [page.request.get(account).status for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429], statuses
    refused = page.request.get(account)
    assert "Access to this page has been denied" in refused.text()
    world.portal.advance_clock(61)
    assert page.request.get(account).status == 200, "the window moved on"
