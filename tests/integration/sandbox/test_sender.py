"""The sender: transfers created on the portal and their notices delivered into real Dovecot,
the pure email builders, the demo seeding and the sender CLI."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.credentials import CredentialStore
from automation.sandbox import demo_world
from automation.sandbox.notices import PORTAL_SENDER, TransferNotice, format_when
from automation.sandbox.portal.client import PortalAdminClient, PortalAdminError
from automation.sandbox.sender import (
    DeliveryError,
    ImapDelivery,
    TransferDetails,
    build_transfer_notice,
    build_verification_email,
    main,
    send_transfer,
)
from tests.fixtures.dovecot import TestMailbox
from tests.integration.sandbox.conftest import DESK, SITE, World, fetch_messages, sign_in_fast

DETAILS = TransferDetails(
    sender_name="José Álvarez",
    sender_email="jose.alvarez@example.com",
    event_name="Men's Basketball vs. Northern A&M",
    event_starts_at=datetime(2026, 12, 5, 18, 0, tzinfo=UTC),
    venue="Bobby Dodd Arena",
    section="112",
    row="K",
    seats=("7", "8", "9"),
)


def _deliver_to(mailbox: TestMailbox) -> ImapDelivery:
    return ImapDelivery(mailbox.host, mailbox.port, mailbox.username, mailbox.password)


def _text(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content()).replace("\r\n", "\n")


def test_notice_lands_in_dovecot_with_every_field(
    world: World, mailbox: TestMailbox, page: Page
) -> None:
    sent = send_transfer(
        world.portal, _deliver_to(mailbox), site=SITE, recipient_email=DESK,
        recipient_name="Market Desk", details=DETAILS,
    )
    [message] = fetch_messages(mailbox)
    assert message["Subject"] == (
        "Ticket Transfer: José Álvarez sent you 3 tickets to Men's Basketball vs. Northern A&M"
    )
    assert message["From"].addresses[0].addr_spec == PORTAL_SENDER
    assert message["To"] == DESK
    assert message["Message-ID"] == sent.message_id
    assert message["Date"].datetime == sent.notice.sent_at.replace(microsecond=0)
    assert message.get_content_type() == "multipart/alternative"
    text, html = _text(message, "plain"), _text(message, "html")
    for body in (text, unescape(html)):
        assert sent.accept_url in body
        assert "José Álvarez" in body and "jose.alvarez@example.com" in body
        assert "Men's Basketball vs. Northern A&M" in body
        assert "Bobby Dodd Arena" in body and "Sat, Dec 5, 2026 6:00 PM UTC" in body
    assert re.search(r"^Section: 112$", text, re.M) and re.search(r"^Row: K$", text, re.M)
    assert re.search(r"^Seats: 7, 8, 9$", text, re.M)
    assert re.search(r"^Quantity: 3$", text, re.M)
    transfer = world.portal.state.require_transfer(sent.token)
    expires = f"Accept your tickets by {format_when(transfer.expires_at)}"
    assert expires in text
    assert (transfer.expires_at - transfer.created_at).total_seconds() == 72 * 3600

    sign_in_fast(page, world)  # the link in the email opens that transfer
    page.goto(re.search(r"https?://\S+", text).group(0))  # type: ignore[union-attr]
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("heading", name="Transfer Accepted")).to_be_visible()
    assert world.portal.accept_counts()[sent.token] == 1


def test_sending_over_http_to_another_process_portal(world: World, mailbox: TestMailbox) -> None:
    client = PortalAdminClient(world.portal.base_url)
    sent = send_transfer(
        client, _deliver_to(mailbox), site=SITE, recipient_email=DESK,
        recipient_name="Market Desk", details=DETAILS, expires_in_hours=24, wrong_seats=True,
    )
    record = next(t for t in client.transfers() if t["token"] == sent.token)
    assert record["state"] == "pending" and record["seats"] == ["7", "8", "9"]
    assert record["delivered_seats"] == ["17", "18", "19"]  # the notice keeps the promised seats
    [message] = fetch_messages(mailbox)
    assert "Seats: 7, 8, 9" in _text(message, "plain")
    assert sent.accept_url == world.portal.base_url + f"/tickets/{SITE}/transfer/{sent.token}"
    with pytest.raises(PortalAdminError, match="no such site"):
        send_transfer(client, _deliver_to(mailbox), site="nowhere", recipient_email=DESK,
                      recipient_name="x", details=DETAILS)
    client.cancel_transfer(sent.token)
    assert world.portal.transfer_states()[sent.token] == "cancelled"


def test_builders_are_pure_and_decode_cleanly() -> None:
    notice = TransferNotice(
        transfer_ref="abc123", accept_url="https://tickets.example/t/abc123",
        site_name="Tech Institute Athletics", recipient_email=DESK, recipient_name="Désk",
        sender_name="Zoë Müller", sender_email="zoe@example.net",
        event_name="Volleyball vs. Bay City",
        event_starts_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
        venue="Arena", section="B", row="2", seats=("1",),
        expires_at=datetime(2026, 8, 20, 9, 0, tzinfo=UTC),
        sent_at=datetime(2026, 8, 17, 9, 0, tzinfo=UTC),
    )
    raw = build_transfer_notice(notice)
    assert raw == build_transfer_notice(notice)
    assert b"\r\n" in raw and all(ord(c) < 128 for c in raw.decode("ascii"))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == (
        "Ticket Transfer: Zoë Müller sent you 1 ticket to Volleyball vs. Bay City"
    )
    assert message["Message-ID"] == "<transfer-abc123@sandbox-paciolan.test>"
    assert message["X-Transfer-Ref"] == "abc123"
    assert "Hi Désk," in _text(message, "plain")  # type: ignore[arg-type]

    code_mail = email.message_from_bytes(
        build_verification_email(DESK, "042517", "State University Athletics", notice.sent_at),
        policy=email.policy.default,
    )
    assert code_mail["Subject"] == "Your State University Athletics verification code"
    assert "042517" in _text(code_mail, "plain") and "042517" in _text(code_mail, "html")  # type: ignore[arg-type]


def test_delivery_errors_are_clear_and_never_show_the_password(mailbox: TestMailbox) -> None:
    delivery = ImapDelivery(mailbox.host, mailbox.port, mailbox.username, "wrong-secret-pw")
    assert "wrong-secret-pw" not in repr(delivery)
    with pytest.raises(DeliveryError) as caught:
        delivery(DESK, b"Subject: x\r\n\r\nbody\r\n")
    assert "wrong-secret-pw" not in str(caught.value)


def test_seed_transfers_spreads_over_sites(mailbox: TestMailbox) -> None:
    from automation.sandbox.portal import SandboxPortal

    with SandboxPortal() as portal:
        accounts = demo_world.build_world(portal, {s: "pw" for s in demo_world.SITES})
        sent = demo_world.seed_transfers(portal, _deliver_to(mailbox), accounts, 4, seed=7)
        assert {s.site for s in sent} == set(demo_world.SITES)
        assert sorted(portal.transfer_states().values()) == ["pending"] * 4
    messages = fetch_messages(mailbox)
    assert sorted(m["Message-ID"] for m in messages) == sorted(s.message_id for s in sent)


def test_sender_cli_uses_the_sandbox_info_and_keyring(
    world: World, mailbox: TestMailbox, credential_store: CredentialStore, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--sandbox-dir", str(tmp_path)]) == 1
    assert "start the sandbox first" in capsys.readouterr().err

    account = demo_world.SandboxAccount(SITE, DESK, "Market Desk", "portal:sandbox:state-u")
    demo_world.SandboxInfo(
        world.portal.base_url, mailbox.host, mailbox.port, mailbox.username,
        demo_world.MAILBOX_CREDENTIAL, (account,),
    ).save(tmp_path)
    assert main(["--sandbox-dir", str(tmp_path)]) == 1  # password not in the keyring yet
    assert "transferdesk credentials set mailbox sandbox" in capsys.readouterr().err

    credential_store.set(demo_world.MAILBOX_CREDENTIAL, mailbox.password)
    assert main(["--sandbox-dir", str(tmp_path), "--count", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("sent ") == 2 and world.portal.base_url in out
    assert len(fetch_messages(mailbox)) == 2


def test_delivered_notice_parses_into_the_transfer_facts(
    world: World, mailbox: TestMailbox
) -> None:
    """The chain sender -> Dovecot -> app.mail parser yields what the portal holds."""
    from app.mail.parser import parse_message

    sent = send_transfer(
        world.portal, _deliver_to(mailbox),
        site=SITE, recipient_email=DESK, recipient_name="Market Desk", details=DETAILS,
    )
    client = mailbox.connect()
    try:
        client.select_folder("INBOX", readonly=True)
        [uid] = client.search(["ALL"])
        raw = client.fetch([uid], ["RFC822"])[uid][b"RFC822"]
    finally:
        client.logout()
    parsed = parse_message(raw)
    transfer = world.portal.state.require_transfer(sent.token)
    assert parsed.kind == "transfer_notice" and parsed.missing == ()
    assert parsed.accept_url == sent.accept_url and parsed.transfer_ref == sent.token
    assert parsed.seats == transfer.seats and parsed.section == transfer.section
    assert parsed.row == transfer.row and parsed.event_name == transfer.event_name
    assert parsed.sender_name == "José Álvarez" and parsed.quantity == 3
    assert parsed.expires_at is not None
    assert abs((parsed.expires_at - transfer.expires_at).total_seconds()) < 60
