"""Kinds of portal mail, and the drift alarm only for notice-looking mail."""

from __future__ import annotations

import pytest

from app.mail.parser import (
    TRANSFER_ACCEPTED,
    TRANSFER_CANCELLED,
    TRANSFER_NOTICE,
    TRANSFER_REMINDER,
    UNRECOGNIZED,
    VERIFICATION_CODE,
    parse_message,
)
from tests.unit.mail_samples import build

NOTICE_BODY = (
    "Avery Chen sent you 2 tickets.\nEvent: Volleyball vs. Texas\nSection 3 Row B Seats 1-2\n"
    "Transfer ID: TR-7001\nhttps://x.evenue.net/transfer/accept?id=TR-7001\n"
)


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("Avery Chen sent you 2 tickets", NOTICE_BODY, TRANSFER_NOTICE),
        ("Reminder: tickets are waiting for you",
         "Reminder: Avery Chen sent you tickets that have not been accepted yet.\n" + NOTICE_BODY,
         TRANSFER_REMINDER),
        ("Don't forget to accept your tickets", NOTICE_BODY, TRANSFER_REMINDER),
        ("Ticket transfer cancelled",
         "Avery Chen has cancelled the transfer of 2 tickets for Volleyball vs. Texas.\n"
         "Transfer ID: TR-7001\n", TRANSFER_CANCELLED),
        ("An update about your tickets",
         "The transfer of 2 tickets from Avery Chen has been revoked.\nTransfer ID: TR-7001\n",
         TRANSFER_CANCELLED),
        ("Your tickets have been accepted",
         "You have successfully accepted 2 tickets from Avery Chen.\nTransfer ID: TR-7001\n",
         TRANSFER_ACCEPTED),
        ("Transfer complete", "The tickets have been added to your account.\n",
         TRANSFER_ACCEPTED),
        ("Your sign-in code", "Use 553201 to sign in. It expires in 10 minutes.\n",
         VERIFICATION_CODE),
        ("Account security", "Your one-time passcode: 908172\n", VERIFICATION_CODE),
        ("2027 Season Ticket Renewal",
         "Renew your season tickets now and transfer tickets to friends any time.\n"
         "https://x.evenue.net/renew\n", UNRECOGNIZED),
        ("Game week newsletter",
         "Learn how to accept your tickets: https://x.evenue.net/transfer/help\n", UNRECOGNIZED),
    ],
)
def test_kinds(subject: str, body: str, kind: str) -> None:
    parsed = parse_message(build(subject, text=body))
    assert parsed.kind == kind
    assert parsed.to_json()["kind"] == kind


def test_cancellation_and_reminder_keep_the_keys_that_find_the_transfer() -> None:
    parsed = parse_message(build(
        "Ticket transfer cancelled",
        text="Avery Chen has cancelled the transfer of 2 tickets for Volleyball vs. Texas.\n"
             "Transfer ID: TR-7001\n"))
    assert (parsed.transfer_ref, parsed.sender_name) == ("TR-7001", "Avery Chen")
    assert parsed.event_name == "Volleyball vs. Texas" and not parsed.template_drift


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("2027 Season Ticket Renewal", "Renew now: https://x.evenue.net/renew?acct=1\n"),
        ("Newsletter", "Ticket transfer tips inside. https://x.evenue.net/news/transfer-tips\n"),
        ("Save 20% on playoff tickets", "Promo code GO20 https://x.evenue.net/buy\n"),
        ("Lunch?", "Noon at the usual place?\n"),
    ],
)
def test_promotions_from_the_portal_never_raise_drift(subject: str, body: str) -> None:
    parsed = parse_message(build(subject, text=body))
    assert parsed.from_portal and not parsed.template_drift


def test_notice_looking_mail_with_missing_fields_raises_drift() -> None:
    body = ("Blake Fox has sent you tickets!\nOpen https://x.evenue.net/transfer/accept?id=9 "
            "to see them.\n")
    parsed = parse_message(build("News from the ticket office", text=body))
    assert parsed.looks_like_notice and parsed.template_drift
    assert "event_name" in parsed.missing and "seats" in parsed.missing
