"""Transfer pages in real Chromium: accept, decline, every terminal state, the pending list,
wrong seats, another account's transfer, and the accept counter's exactly-once semantics."""

from __future__ import annotations

import http.cookiejar
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from automation.sandbox.portal import TransferState
from tests.integration.sandbox.conftest import (
    DESK,
    MFA_USER,
    OTHER_SITE,
    SITE,
    World,
    sign_in_fast,
    transfer_details,
)


@pytest.fixture
def signed_in(page: Page, world: World) -> Page:
    sign_in_fast(page, world)
    return page


def _owned_rows(page: Page) -> list[str]:
    """My Account's ticket rows, once that page is shown (a click may still be navigating)."""
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    rows = page.locator("table[aria-label='My Tickets'] tbody tr")
    return [row.inner_text() for row in rows.all()]


def test_accept_shows_confirmation_and_seats_appear_in_my_account(
    signed_in: Page, world: World
) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(event_name="Volleyball vs. Lakeside", seats=("11", "12"))
    )
    page.goto(world.portal.accept_url(transfer))
    details = page.locator("dl.details")
    expect(details).to_contain_text("Jane Doe (jane.doe@example.com)")
    expect(details).to_contain_text("Volleyball vs. Lakeside")
    expect(page.locator("dl.details dt:text-is('Seats') + dd")).to_have_text("11, 12")
    page.get_by_role("button", name="Accept", exact=True).click()

    expect(page.get_by_role("heading", name="Transfer Accepted")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Seats 11, 12")
    page.get_by_role("link", name="Go to My Account").click()
    rows = [r for r in _owned_rows(page) if "Volleyball vs. Lakeside" in r]
    assert sorted(r.split("\t")[-1] for r in rows) == ["11", "12"]
    assert world.portal.transfer_states()[transfer.token] == "accepted"
    assert world.portal.accept_counts()[transfer.token] == 1


def test_already_accepted_shows_its_state_not_an_error(signed_in: Page, world: World) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(SITE, DESK, **transfer_details())
    world.portal.state.accept(transfer.token)
    response = page.goto(world.portal.accept_url(transfer))
    assert response is not None and response.status == 200
    expect(page.get_by_role("status")).to_have_text("This transfer has already been accepted.")
    expect(page.get_by_role("button", name="Accept", exact=True)).to_have_count(0)
    expect(page.locator("main")).to_have_attribute("data-transfer-state", "accepted")


def test_decline(signed_in: Page, world: World) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(SITE, DESK, **transfer_details())
    page.goto(world.portal.accept_url(transfer))
    page.get_by_role("button", name="Decline", exact=True).click()
    expect(page.get_by_role("heading", name="Transfer Declined")).to_be_visible()
    assert world.portal.transfer_states()[transfer.token] == "declined"
    assert world.portal.accept_counts()[transfer.token] == 0
    page.goto(world.portal.accept_url(transfer))
    expect(page.get_by_role("status")).to_have_text("This transfer was declined.")


@pytest.mark.parametrize(
    ("make_terminal", "state", "message"),
    [
        ("cancel", TransferState.CANCELLED, "This transfer was cancelled by the sender."),
        ("expire", TransferState.EXPIRED, "This transfer has expired."),
        ("decline", TransferState.DECLINED, "This transfer was declined."),
        ("accept", TransferState.ACCEPTED, "This transfer has already been accepted."),
    ],
)
def test_every_terminal_state_has_its_own_page(
    signed_in: Page, world: World, make_terminal: str, state: TransferState, message: str
) -> None:
    page = signed_in
    hours = 0.001 if make_terminal == "expire" else 72
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(), expires_in_hours=hours
    )
    if make_terminal == "cancel":
        world.portal.cancel_transfer(transfer.token)
    elif make_terminal == "expire":
        world.portal.advance_clock(5)
    elif make_terminal == "decline":
        world.portal.state.decline(transfer.token)
    else:
        world.portal.state.accept(transfer.token)
    page.goto(world.portal.accept_url(transfer))
    expect(page.get_by_role("status")).to_contain_text(message)
    expect(page.locator("main")).to_have_attribute("data-transfer-state", str(state))
    expect(page.get_by_role("button", name="Accept", exact=True)).to_have_count(0)
    # a late Accept changes nothing, but is counted
    response = page.request.post(world.portal.accept_url(transfer) + "/accept")
    assert response.ok
    assert world.portal.transfer_states()[transfer.token] == str(state)


def test_pending_list_links_to_the_transfer(signed_in: Page, world: World) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(event_name="Baseball vs. Bay City", seats=("1",))
    )
    page.goto(f"{world.site_url()}/account")
    pending = page.get_by_role("region", name="Pending Transfers")
    item = pending.get_by_role("listitem").filter(has_text="Baseball vs. Bay City")
    expect(item).to_contain_text("1 ticket(s) from Jane Doe")
    item.get_by_role("link", name="View Transfer").click()
    expect(page).to_have_url(world.portal.accept_url(transfer))


def test_wrong_seats_fault_delivers_other_seats_than_the_notice(
    signed_in: Page, world: World
) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(event_name="Hockey vs. Coastal", seats=("5", "6")),
        wrong_seats=True,
    )
    assert transfer.seats == ("5", "6")
    page.goto(world.portal.accept_url(transfer))
    expect(page.locator("dl.details dt:text-is('Seats') + dd")).to_have_text("15, 16")
    page.get_by_role("button", name="Accept", exact=True).click()
    # the accept is a form post: let it land before leaving the page (a goto would abort it)
    expect(page.get_by_role("heading", name="Transfer Accepted")).to_be_visible()
    page.goto(f"{world.site_url()}/account")
    seats = sorted(r.split("\t")[-1] for r in _owned_rows(page) if "Hockey vs. Coastal" in r)
    assert seats == ["15", "16"]


def test_site_wide_wrong_seats_switch(world: World) -> None:
    world.portal.set_faults(SITE, wrong_seats=True)
    try:
        shifted = world.portal.create_transfer(SITE, DESK, **transfer_details(seats=("7",)))
        other = world.portal.create_transfer(OTHER_SITE, DESK, **transfer_details(seats=("7",)))
    finally:
        world.portal.clear_faults()
    assert shifted.delivered_seats == ("17",)
    assert other.delivered_seats == ("7",)


def test_transfer_for_another_account_cannot_be_accepted(signed_in: Page, world: World) -> None:
    page = signed_in
    transfer = world.portal.create_transfer(SITE, MFA_USER, **transfer_details())
    page.goto(world.portal.accept_url(transfer))
    expect(page.get_by_role("status")).to_have_text(
        "This transfer was sent to a different account."
    )
    response = page.request.post(world.portal.accept_url(transfer) + "/accept")
    assert response.status == 403
    assert world.portal.transfer_states()[transfer.token] == "pending"


def test_unknown_transfer_is_not_found(signed_in: Page, world: World) -> None:
    response = signed_in.goto(f"{world.site_url()}/transfer/no-such-token")
    assert response is not None and response.status == 404
    expect(signed_in.get_by_role("heading", name="Page Not Found")).to_be_visible()


def test_accept_counter_is_exact_under_concurrent_calls(signed_in: Page, world: World) -> None:
    """20 parallel Accept POSTs: 20 calls counted, one acceptance, seats granted once."""
    page = signed_in
    transfer = world.portal.create_transfer(
        SITE, DESK, **transfer_details(event_name="Soccer vs. Mountain West", seats=("3", "4"))
    )
    untouched = world.portal.create_transfer(SITE, DESK, **transfer_details())
    jar = http.cookiejar.CookieJar()
    for cookie in page.context.cookies():
        jar.set_cookie(http.cookiejar.Cookie(
            0, cookie["name"], cookie["value"], None, False, cookie["domain"], False, False,
            cookie["path"], True, False, None, False, None, None, {},
        ))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = world.portal.accept_url(transfer) + "/accept"

    def post(_: int) -> int:
        with opener.open(urllib.request.Request(url, data=b"", method="POST")) as response:
            return int(response.status)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(20)))
    assert statuses == [200] * 20  # redirected to the confirmation every time
    assert world.portal.accept_counts()[transfer.token] == 20
    assert world.portal.accept_counts()[untouched.token] == 0
    account = world.portal.state.account(SITE, DESK)
    assert account is not None
    granted = [t.seat for t in account.tickets if t.event_name == "Soccer vs. Mountain West"]
    assert sorted(granted) == ["3", "4"]
