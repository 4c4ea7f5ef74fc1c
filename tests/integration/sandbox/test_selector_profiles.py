"""The selector profiles in resources/portals/ against the sandbox pages, in real Chromium.

Each profile must find every element on its own layout (a whole walk: sign-in, pending list,
transfer, accept, confirmation, My Account) and every state marker on the page it names; the
normal profile must NOT find the sign-in fields on the alternate layout (selector drift).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from automation.portals.profile import PortalProfile, load_profile
from tests.integration.sandbox.conftest import (
    DESK,
    MFA_USER,
    PASSWORD,
    SITE,
    World,
    sign_in_fast,
    transfer_details,
)

PROFILE_FOR_LAYOUT = {"normal": "sandbox_paciolan", "alternate": "sandbox_paciolan_alt"}


@pytest.fixture(autouse=True)
def no_faults_after(world: World) -> Iterator[None]:
    yield
    world.portal.clear_faults()


def find(page: Page | Locator, profile: PortalProfile, element: str) -> Locator | None:
    """The first alternative of ``element`` that is visible now, or None."""
    specs = profile.specs(element)
    assert specs, f"{profile.name} has no locators for {element}"
    for spec in specs:
        locator = spec.resolve(page).first  # type: ignore[arg-type]
        if locator.count() and locator.is_visible():
            return locator
    return None


def need(page: Page, profile: PortalProfile, element: str) -> Locator:
    """The first visible element any alternative of ``element`` matches, waited for (the
    page an action navigated to may not have parsed yet)."""
    specs = profile.specs(element)
    assert specs, f"{profile.name} has no locators for {element}"
    union = specs[0].resolve(page)
    for spec in specs[1:]:
        union = union.or_(spec.resolve(page))
    locator = union.filter(visible=True).first
    expect(locator, f"{profile.name}: {element} not found").to_be_visible()
    return locator


@pytest.mark.parametrize("layout", ["normal", "alternate"])
def test_profile_walks_its_layout(page: Page, world: World, layout: str) -> None:
    profile = load_profile(PROFILE_FOR_LAYOUT[layout])
    world.portal.set_faults(SITE, layout=layout)
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(event_name=f"Lacrosse ({layout})", seats=("21", "22"))
    )
    page.goto(f"{world.site_url()}/{profile.path('sign_in')}")
    need(page, profile, "email_field").fill(DESK)
    need(page, profile, "continue_button").click()
    need(page, profile, "password_field").fill(PASSWORD)
    need(page, profile, "keep_signed_in").check()
    need(page, profile, "sign_in_button").click()

    need(page, profile, "account_marker")
    need(page, profile, "pending_list")
    item = next(
        i for i in page.locator("main").locator(profile.specs("pending_item")[0].value).all()
        if f"Lacrosse ({layout})" in i.inner_text()
    )
    link = find(item, profile, "pending_open")
    assert link is not None
    link.click()
    expect(page).to_have_url(world.portal.accept_url(transfer))

    seats = need(page, profile, "transfer_seats").inner_text()
    assert seats.replace("Seats:", "").strip() == "21, 22"
    need(page, profile, "decline_button")
    need(page, profile, "accept_button").click()
    need(page, profile, "confirmation")

    page.goto(f"{world.site_url()}/{profile.path('my_account')}")
    need(page, profile, "owned_tickets")
    owned = [
        t.inner_text()
        for t in page.locator(profile.specs("owned_ticket")[0].value).all()
        if f"Lacrosse ({layout})" in t.inner_text()
    ]
    assert len(owned) == 2


@pytest.mark.parametrize(("layout", "profile_name"), [
    ("alternate", "sandbox_paciolan"),
    ("normal", "sandbox_paciolan_alt"),
])
def test_wrong_profile_detects_drift(
    page: Page, world: World, layout: str, profile_name: str
) -> None:
    profile = load_profile(profile_name)
    world.portal.set_faults(SITE, layout=layout)
    page.goto(f"{world.site_url()}/signin")
    page.get_by_role("button").first.wait_for()
    assert find(page, profile, "email_field") is None
    sign_in_fast(page, world)
    transfer = world.portal.create_transfer(SITE, DESK, **transfer_details())
    page.goto(world.portal.accept_url(transfer))
    page.get_by_role("button").first.wait_for()
    assert find(page, profile, "accept_button") is None


@pytest.mark.parametrize("profile_name", ["sandbox_paciolan", "sandbox_paciolan_alt"])
def test_state_markers_match_the_pages(page: Page, world: World, profile_name: str) -> None:
    profile = load_profile(profile_name)
    layout = "normal" if profile_name == "sandbox_paciolan" else "alternate"
    world.portal.set_faults(SITE, layout=layout)

    def text() -> str:
        page.wait_for_load_state()
        return page.locator("body").inner_text().lower()

    def has(key: str) -> bool:
        body = text()
        return any(marker in body for marker in profile.markers(key))

    sign_in_fast(page, world)
    page.goto(f"{world.site_url()}/transfer/unknown")
    assert has("not_found")
    made = {
        name: world.portal.create_transfer(SITE, DESK, **transfer_details())
        for name in ("already_accepted", "cancelled", "declined")
    }
    world.portal.state.accept(made["already_accepted"].token)
    world.portal.cancel_transfer(made["cancelled"].token)
    world.portal.state.decline(made["declined"].token)
    expiring = world.portal.create_transfer(
        SITE, DESK, **transfer_details(), expires_in_hours=0.0001
    )
    world.portal.advance_clock(1)
    other = world.portal.create_transfer(SITE, MFA_USER, **transfer_details())
    for key, transfer in [*made.items(), ("expired", expiring), ("wrong_account", other)]:
        page.goto(world.portal.accept_url(transfer))
        assert has(key), f"{profile_name}: no {key} marker on {page.url}"
        assert find(page, profile, "accept_button") is None

    world.portal.set_faults(SITE, error_rate=1.0)
    page.goto(f"{world.site_url()}/account")
    assert has("server_error")
    world.portal.set_faults(SITE, error_rate=0.0, bot_challenge=True)
    page.goto(f"{world.site_url()}/account")
    assert has("bot_challenge") and find(page, profile, "bot_challenge") is not None
    world.portal.set_faults(SITE, bot_challenge=False, session_expiry_after=1)
    page.goto(f"{world.site_url()}/account")  # this session already made more requests
    assert has("session_expired")

    user = f"lock-{profile_name}@market.test"
    world.portal.add_account(SITE, user, PASSWORD)
    page.request.post(f"{world.site_url()}/signin", form={"email": user})
    page.goto(f"{world.site_url()}/signin/password")
    for _ in range(3):
        need(page, profile, "password_field").fill("wrong")
        with page.expect_navigation():  # the refusal is a new page: wait for it each time
            need(page, profile, "sign_in_button").click()
    assert has("locked")
    assert "temporarily locked" in need(page, profile, "error_message").inner_text()
