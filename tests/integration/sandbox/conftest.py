"""Shared pieces of the sandbox tests: one portal per module, a mail router, sign-in walks.

The browser comes from tests/fixtures/browser.py (one Chromium per session, a fresh context per
test); mailboxes from tests/fixtures/dovecot.py (one Dovecot per session, a user per test).
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page

from automation.sandbox.examples import example_transfer
from automation.sandbox.portal import SandboxPortal
from tests.fixtures.dovecot import TestMailbox

SITE = "state-u"
OTHER_SITE = "tech"
DESK = "desk@market.test"
MFA_USER = "mfa@market.test"
DEVICE_USER = "device@market.test"
PASSWORD = "Correct-Horse-1"


@dataclass
class MailRouter:
    """The portal's mailer: delivers each message to the test mailbox registered for its address."""

    routes: dict[str, TestMailbox] = field(default_factory=dict)
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    def __call__(self, recipient: str, message: bytes) -> None:
        self.sent.append((recipient, message))
        mailbox = self.routes.get(recipient)
        if mailbox is not None:
            mailbox.append(message)


@dataclass
class World:
    """A running portal with two sites and the router its verification codes go through."""

    portal: SandboxPortal
    mail: MailRouter

    def site_url(self, site: str = SITE) -> str:
        return self.portal.site_url(site)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A sandbox portal for the whole test module (sites state-u and tech)."""
    router = MailRouter()
    with SandboxPortal(mailer=router) as portal:
        portal.add_site(SITE, "State University Athletics")
        portal.add_site(OTHER_SITE, "Tech Institute Athletics")
        for site in (SITE, OTHER_SITE):
            portal.add_account(site, DESK, PASSWORD, "Market Desk")
        portal.add_account(SITE, MFA_USER, PASSWORD, "MFA Desk", mfa="always")
        portal.add_account(SITE, DEVICE_USER, PASSWORD, "Device Desk", mfa="new_device")
        yield World(portal, router)


def transfer_details(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``create_transfer`` (a two-seat football transfer)."""
    return example_transfer(**overrides)


def sign_in(
    page: Page,
    world: World,
    email_address: str = DESK,
    password: str = PASSWORD,
    site: str = SITE,
    keep: bool = False,
) -> None:
    """Walk the two-step sign-in (normal layout) from the sign-in page."""
    page.goto(f"{world.site_url(site)}/signin")
    fill_credentials(page, email_address, password, keep)


def fill_credentials(page: Page, email_address: str, password: str, keep: bool = False) -> None:
    """Email -> Continue -> password (-> keep me signed in) -> Sign In, on the current page."""
    page.get_by_label("Email Address").fill(email_address)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(password)
    if keep:
        page.get_by_label("Keep me signed in").check()
    page.get_by_role("button", name="Sign In", exact=True).click()


def fetch_messages(mailbox: TestMailbox) -> list[email.message.EmailMessage]:
    """Every message in the mailbox's INBOX, oldest first, parsed."""
    client = mailbox.connect()
    try:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = client.fetch(uids, ["RFC822"]) if uids else {}
        raws = [fetched[uid][b"RFC822"] for uid in sorted(fetched)]
    finally:
        client.logout()
    return [
        email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
        for raw in raws
    ]


def latest_code(mailbox: TestMailbox) -> str:
    """The 6-digit code in the newest verification email of the mailbox."""
    codes = [m for m in fetch_messages(mailbox) if "verification code" in str(m["Subject"])]
    assert codes, "no verification-code email in the mailbox"
    body = codes[-1].get_body(("plain",))
    assert body is not None
    match = re.search(r"\b(\d{6})\b", body.get_content())
    assert match, "no 6-digit code in the email"
    return match.group(1)


def sign_in_fast(page: Page, world: World, email_address: str = DESK, site: str = SITE) -> None:
    """Sign in through the page's request context (same cookies, no rendering)."""
    base = world.site_url(site)
    page.request.post(f"{base}/signin", form={"email": email_address})
    response = page.request.post(
        f"{base}/signin/password", form={"password": PASSWORD}, max_redirects=0
    )
    assert response.status == 303, response.status
    assert "/signin" not in response.headers["location"], response.headers["location"]
