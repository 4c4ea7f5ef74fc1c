"""The accept-link and deadline rules (app/mail/links.py, app/mail/deadlines.py) and the
forwarded original's send time (app/mail/forwards.original_sent)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.mail import deadlines, links
from app.mail.forwards import original_sent

CST = timezone(timedelta(hours=-6))
SENT = datetime(2026, 11, 23, 9, 0, tzinfo=CST)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://t.example/ct?u=1&url=https%3A%2F%2Fa.evenue.net%2Faccept%3Fid%3D9",
         "https://a.evenue.net/accept?id=9"),
        ("https://t.example/r?target=https%3A%2F%2Fa.evenue.net%2Fx%2F9", "https://a.evenue.net/x/9"),
        # an accept page's own return address is not where it leads
        ("https://a.evenue.net/accept?id=9&returnUrl=https%3A%2F%2Fa.evenue.net%2Fmyaccount",
         "https://a.evenue.net/accept?id=9&returnUrl=https%3A%2F%2Fa.evenue.net%2Fmyaccount"),
        ("https://u1.ct.sendgrid.net/ls/click?upn=u001.Xk3p", "https://u1.ct.sendgrid.net/ls/click?upn=u001.Xk3p"),
    ],
)
def test_tracked_link_destination(url: str, expected: str) -> None:
    assert links.destination(url) == expected


def test_accept_link_by_its_words_not_by_position() -> None:
    anchors = [("https://t.example/a1", "Mesa Verde"), ("https://t.example/a2", "Decline"),
               ("https://t.example/a3", "Accept Transfer"), ("https://t.example/a4", "Unsubscribe")]
    assert links.accept_by_label(anchors) == "https://t.example/a3"
    assert links.accept_by_label(anchors[:2] + anchors[3:]) is None


def test_plain_text_link_takes_the_label_before_it_or_the_line_above() -> None:
    text = "To accept, open this link:\nhttps://a.evenue.net/x/1\nACCEPT: https://a.evenue.net/x/2."
    assert links.text_anchors(text) == [
        ("https://a.evenue.net/x/1", "To accept, open this link:"),
        ("https://a.evenue.net/x/2", "ACCEPT"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This transfer must be accepted by Wed, Nov 25, 2026 11:59 PM CST.",
         datetime(2026, 11, 25, 23, 59)),
        ("This offer is valid until November 26th at 11:59pm.", datetime(2026, 11, 26, 23, 59)),
        ("Offer valid until 12/01/2026 11:59 PM", datetime(2026, 12, 1, 23, 59)),
        ("Accept before Fri, Nov 27 at noon or they go back.", datetime(2026, 11, 27, 12, 0)),
        ("Valid ID required at the gate.", None),
        ("Tickets expire when the game starts on Nov 28.", None),  # no deadline phrase + date
    ],
)
def test_dated_deadline_phrases(text: str, expected: datetime | None) -> None:
    found = deadlines.deadline_date(text, SENT)
    assert (found.replace(tzinfo=None) if found else None) == expected


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("Please accept within 72 hours of receiving this email.", 72),
        ("It expires in 24 hours.", 24),
        ("Tickets not claimed within 3 days are returned.", 72),
        ("Your tickets will appear in 24 hours.", None),  # not about the offer ending
    ],
)
def test_deadline_spans(text: str, hours: int | None) -> None:
    span = deadlines.deadline_span(text)
    assert span == (timedelta(hours=hours) if hours else None)


def test_a_span_without_its_starting_moment_is_no_deadline() -> None:
    body = "Accept within 48 hours."
    assert deadlines.offer_deadline(body, SENT, lambda: SENT) == SENT + timedelta(hours=48)
    assert deadlines.offer_deadline(body, SENT, lambda: None) is None


def test_forwarded_original_sent_time_comes_from_its_header_block() -> None:
    gmail = ("FYI\n---------- Forwarded message ---------\nFrom: A <a@x.evenue.net>\n"
             "Date: Mon, Nov 23, 2026 at 10:12 AM\nSubject: s\n\nDate: Sat, Nov 28, 2026\n")
    assert original_sent(gmail, SENT) == datetime(2026, 11, 23, 10, 12, tzinfo=CST)
    outlook = "Please\nFrom: A <a@x.evenue.net>\nSent: Monday, November 23, 2026 2:05 PM\nTo: b\n"
    assert original_sent(outlook, SENT) == datetime(2026, 11, 23, 14, 5, tzinfo=CST)
    quoted = "On Mon, Nov 23 A <a@x.evenue.net> wrote:\nDate: Sat, Nov 28, 2026\n"
    assert original_sent(quoted, SENT) is None  # the event's date is not when it was sent
