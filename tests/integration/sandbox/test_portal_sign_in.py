"""Sign-in walks on the sandbox portal in real Chromium: with and without an emailed code,
keep-me-signed-in, wrong password, lock-out, expiring codes, and sign-in from an accept link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.dovecot import TestMailbox
from tests.integration.sandbox.conftest import (
    DESK,
    DEVICE_USER,
    MFA_USER,
    PASSWORD,
    SITE,
    World,
    fill_credentials,
    latest_code,
    sign_in,
    transfer_details,
)


def _session_cookie(page: Page) -> dict:
    cookies = [c for c in page.context.cookies() if c["name"] == "PACSESSION"]
    assert len(cookies) == 1
    return dict(cookies[0])


def test_sign_in_without_code_lands_on_my_account(page: Page, world: World) -> None:
    sign_in(page, world)
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {DESK}")).to_be_visible()
    assert _session_cookie(page)["expires"] == -1  # a browser-session cookie


def test_keep_me_signed_in_sets_a_persistent_cookie(page: Page, world: World) -> None:
    sign_in(page, world, keep=True)
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    assert _session_cookie(page)["expires"] > 0


def test_sign_out_ends_the_session(page: Page, world: World) -> None:
    sign_in(page, world)
    page.get_by_role("button", name="Sign Out").click()
    expect(page.get_by_label("Email Address")).to_be_visible()
    page.goto(f"{world.site_url()}/account")
    expect(page).to_have_url(re.compile(r"/signin$"))


def test_sign_in_with_emailed_code(page: Page, world: World, mailbox: TestMailbox) -> None:
    world.mail.routes[MFA_USER] = mailbox
    sign_in(page, world, MFA_USER)
    expect(page.get_by_role("heading", name="Verify Your Identity")).to_be_visible()
    code = latest_code(mailbox)
    page.get_by_label("Verification Code").fill(code)
    page.get_by_role("button", name="Submit Code").click()
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()


def test_wrong_and_expired_codes_are_refused_and_a_new_code_works(
    page: Page, world: World, mailbox: TestMailbox
) -> None:
    world.mail.routes[MFA_USER] = mailbox
    sign_in(page, world, MFA_USER)
    first = latest_code(mailbox)
    wrong = f"{(int(first) + 1) % 1_000_000:06d}"
    page.get_by_label("Verification Code").fill(wrong)
    page.get_by_role("button", name="Submit Code").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is incorrect")

    world.portal.advance_clock(601)  # past the 10-minute code lifetime
    page.get_by_label("Verification Code").fill(first)
    page.get_by_role("button", name="Submit Code").click()
    expect(page.get_by_role("alert")).to_contain_text("That code has expired")

    with page.expect_navigation():  # the field is on the old page too: wait for the new one
        page.get_by_role("button", name="Send a new code").click()
    expect(page.get_by_label("Verification Code")).to_be_visible()
    second = latest_code(mailbox)  # the new code was mailed before that page was sent
    page.get_by_label("Verification Code").fill(second)
    page.get_by_role("button", name="Submit Code").click()
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()


def test_new_device_needs_a_code_once(page: Page, world: World, mailbox: TestMailbox) -> None:
    world.mail.routes[DEVICE_USER] = mailbox
    sign_in(page, world, DEVICE_USER)
    page.get_by_label("Verification Code").fill(latest_code(mailbox))
    page.get_by_role("button", name="Submit Code").click()
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    page.get_by_role("button", name="Sign Out").click()

    fill_credentials(page, DEVICE_USER, PASSWORD)  # same browser: a known device
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()
    assert sum(1 for to, _ in world.mail.sent if to == DEVICE_USER) == 1


def test_wrong_password_then_lock(page: Page, world: World) -> None:
    user = "lockme@market.test"
    world.portal.add_account(SITE, user, PASSWORD, "Lock Test")
    sign_in(page, world, user, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text(
        "The email or password you entered is incorrect."
    )
    for _ in range(2):  # attempts 2 and 3 of 3: each answer is a new page, waited for
        page.get_by_label("Password", exact=True).fill("still-wrong")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("temporarily locked")

    page.get_by_label("Password", exact=True).fill(PASSWORD)  # right password, still locked
    with page.expect_navigation():  # answered before the clock moves on below
        page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("temporarily locked")

    world.portal.advance_clock(15 * 60 + 1)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="My Account")).to_be_visible()


def test_unknown_email_gets_the_same_generic_error(page: Page, world: World) -> None:
    sign_in(page, world, "nobody@market.test", "whatever")
    expect(page.get_by_role("alert")).to_have_text(
        "The email or password you entered is incorrect."
    )


def test_accept_link_signs_in_then_returns_to_the_transfer(page: Page, world: World) -> None:
    transfer = world.portal.create_transfer(SITE, DESK, **transfer_details())
    page.goto(world.portal.accept_url(transfer))
    expect(page).to_have_url(re.compile(r"/signin$"))
    fill_credentials(page, DESK, PASSWORD)
    expect(page).to_have_url(world.portal.accept_url(transfer))
    expect(page.get_by_role("heading", name="Ticket Transfer")).to_be_visible()


@pytest.mark.parametrize("email_value", ["", "not-an-email"])
def test_invalid_email_is_rejected_on_step_one(page: Page, world: World, email_value: str) -> None:
    page.goto(f"{world.site_url()}/signin")
    response = page.request.post(f"{world.site_url()}/signin", form={"email": email_value})
    assert "Enter a valid email address." in response.text()
