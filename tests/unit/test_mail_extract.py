"""The general extractor over notices written in layouts of their own (not the shipped samples).

Each sample brands its notice differently: label words, orders, table shapes, encodings and
forwarders vary on purpose, so the tests pin the extractor's generality, not one layout.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.mail.parser import TRANSFER_NOTICE, parse_message
from tests.unit.mail_samples import build

SCHOOL = "Wildcat Athletics Ticket Office <tickets@ticketing.evenue.net>"


def test_html_table_one_row_per_seat_headers_in_any_order_cp1252_qp() -> None:
    html = """<html><head><style>td{font-family:Arial}</style></head><body>
    <div style="display:none;max-height:0">Seats 99-100 preview text nobody sees</div>
    <table width="100%" style="background:#eee"><tr><td>
      <h2 style="color:#002b5c">Ticket Transfer</h2>
      <p>Dana O’Brien has sent you tickets. Accept them before they expire.</p>
      <table cellpadding="4" border="1">
        <tr><th>Seat(s)</th><th>Row</th><th>Sec.</th><th>Event</th><th>Date</th></tr>
        <tr><td>14</td><td>GG</td><td>Club C</td><td>Men&#8217;s Basketball vs. Kentucky</td>
            <td>Sat, Jan 16, 2027 &ndash; 4:00 PM ET</td></tr>
        <tr><td>15</td><td>GG</td><td>Club C</td><td>Men&#8217;s Basketball vs. Kentucky</td>
            <td>Sat, Jan 16, 2027 &ndash; 4:00 PM ET</td></tr>
      </table>
      <p><a href="https://ticketing.evenue.net/transfer/claim?k=Zq81" style="color:blue">
      Claim&nbsp;tickets</a></p>
    </td></tr></table></body></html>"""
    parsed = parse_message(build("Ticket Transfer", html=html, sender=SCHOOL,
                                 charset="windows-1252", encoding="quoted-printable"))
    assert parsed.kind == TRANSFER_NOTICE and parsed.missing == ()
    assert parsed.event_name == "Men’s Basketball vs. Kentucky"
    assert (parsed.section, parsed.row, parsed.seats) == ("Club C", "GG", ("14", "15"))
    assert parsed.sender_name == "Dana O’Brien"
    assert parsed.event_starts_at == datetime(2027, 1, 16, 21, 0, tzinfo=UTC)
    assert parsed.accept_url == "https://ticketing.evenue.net/transfer/claim?k=Zq81"
    assert parsed.low_confidence == ()


def test_html_table_one_row_per_event_gives_several_events_base64() -> None:
    html = """<table><tr><td><b>Qty</b></td><td><b>Game</b></td><td><b>Game Date</b></td>
    <td><b>Section</b></td><td><b>Row</b></td><td><b>Seats</b></td></tr>
    <tr><td>2</td><td>Baseball vs. Rice</td><td>03/05/2027 6:30 PM CT</td><td>Upper 305</td>
        <td>1A</td><td>7 &amp; 8</td></tr>
    <tr><td>3</td><td>Baseball vs. Tulane</td><td>03/06/2027 2:00 PM CT</td><td>Upper 306</td>
        <td>2</td><td>101 thru 103</td></tr></table>
    <p>Transferred by: Robin Hale</p>
    <a href="https://gotigers.evenue.net/accept?t=9981">Accept</a>"""
    parsed = parse_message(build("Tickets for you", html=html, encoding="base64"))
    assert parsed.kind == TRANSFER_NOTICE
    assert [(e.event_name, e.section, e.row, e.seats) for e in parsed.events] == [
        ("Baseball vs. Rice", "Upper 305", "1A", ("7", "8")),
        ("Baseball vs. Tulane", "Upper 306", "2", ("101", "102", "103")),
    ]
    second_start = parsed.events[1].event_starts_at
    assert second_start is not None
    assert second_start.astimezone(UTC) == datetime(2027, 3, 6, 20, 0, tzinfo=UTC)
    assert parsed.sender_name == "Robin Hale"
    assert parsed.quantity == 5


def test_labels_without_colons_values_on_the_next_line_latin1() -> None:
    text = (
        "ACCEPT YOUR TICKETS\n\n"
        "Renée Marchand sent you 4 tickets\n\n"
        "EVENT\nWomen's Volleyball vs Utah\n"
        "DATE / TIME\nOct. 3, 2026 6 p.m. MT\n"
        "LOCATION\nHuntsman Center\n"
        "SECTION\nW\nROW\nAA\nSEATS\n12 through 15\n\n"
        "Accept now: https://utah.evenue.net/ev/transfer/accept/8812\n"
    )
    parsed = parse_message(build("Renée Marchand sent you 4 tickets", text=text,
                                 charset="iso-8859-1", encoding="quoted-printable"))
    assert parsed.kind == TRANSFER_NOTICE and parsed.missing == ()
    assert parsed.event_name == "Women's Volleyball vs Utah"
    assert parsed.venue == "Huntsman Center"
    assert (parsed.section, parsed.row, parsed.seats) == ("W", "AA", ("12", "13", "14", "15"))
    assert parsed.sender_name == "Renée Marchand"
    assert parsed.event_starts_at == datetime(2026, 10, 4, 0, 0, tzinfo=UTC)


def test_event_quoted_after_for_and_seat_list_forms() -> None:
    text = (
        "Hello,\n\nChris Patel (cpatel@example.net) has transferred 2 tickets to you for "
        "“Holiday Hoops Classic”.\n\n"
        "Date: 12/19/2026 @ 1:00 PM PT\n"
        "Section: Upper 305 | Row: 1A | Seat(s) 1, 2\n"
        "Reference # XFER-20931\n"
        "https://pac.evenue.net/transfer/accept?code=abc\n"
    )
    parsed = parse_message(build("Chris Patel has transferred 2 tickets to you", text=text))
    assert parsed.event_name == "Holiday Hoops Classic"
    assert (parsed.sender_name, parsed.sender_email) == ("Chris Patel", "cpatel@example.net")
    assert (parsed.section, parsed.row, parsed.seats) == ("Upper 305", "1A", ("1", "2"))
    assert parsed.transfer_ref == "XFER-20931"
    assert parsed.confidence["event_name"] >= 0.7


def test_title_line_and_from_phrasing_and_date_without_year() -> None:
    text = (
        "You've received 2 tickets from Morgan Lee (morgan.lee@example.org).\n\n"
        "Oregon State vs. Oregon\n"
        "Saturday, Nov 28 · 7:30pm PT\n"
        "Reser Stadium\n"
        "Sec 38   Row 12   Seats 5 – 6\n\n"
        "Accept: https://osubeavers.evenue.net/transfer/accept?x=1\n"
    )
    parsed = parse_message(build("You've received tickets", text=text))
    assert parsed.event_name == "Oregon State vs. Oregon"
    assert (parsed.sender_name, parsed.sender_email) == ("Morgan Lee", "morgan.lee@example.org")
    assert parsed.seats == ("5", "6") and parsed.section == "38" and parsed.row == "12"
    assert parsed.event_starts_at == datetime(2026, 11, 29, 3, 30, tzinfo=UTC)


def test_event_from_the_subject_is_low_confidence() -> None:
    text = (
        "Good news! Tickets are waiting for you.\n"
        "Transferred by: Alex Kim\n"
        "Sec 110 / Row 7 / Seats 7 and 8\n"
        "Claim them: https://unc.evenue.net/claim?id=777\n"
    )
    parsed = parse_message(build("Spring Game - Ticket Transfer", text=text))
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.event_name == "Spring Game"
    assert parsed.sender_name == "Alex Kim"
    assert parsed.seats == ("7", "8")
    assert "event_name" in parsed.low_confidence  # staff confirm it, never a guess


def test_outlook_forward_of_an_html_notice_original_wins() -> None:
    text = (
        "Here you go, enjoy the game! Seats 1-2 were mine last year.\n\n"
        "________________________________\n"
        "From: Ticket Office <noreply@paciolan.com>\n"
        "Sent: Monday, November 23, 2026 8:14 AM\n"
        "To: Lee Wong <lee@example.com>\n"
        "Subject: Lee Wong has sent you 3 tickets\n\n"
        "Lee Wong has sent you 3 tickets.\n"
        "Event: Hockey vs. Denver\nDate: Dec 4, 2026 7:00 PM MT\n"
        "Section 210, Row F, Seats 9-11\n"
        "Accept: https://du.evenue.net/transfer/accept?r=4\n"
    )
    parsed = parse_message(build("FW: Lee Wong has sent you 3 tickets", text=text,
                                 sender="Lee Wong <lee@example.com>"))
    assert parsed.forwarded and parsed.kind == TRANSFER_NOTICE
    assert parsed.seats == ("9", "10", "11") and parsed.event_name == "Hockey vs. Denver"
    assert parsed.subject.startswith("FW:")


def test_quoted_reply_reads_the_quoted_original() -> None:
    text = (
        "Did these come through? I think seats 3-4 are better.\n\n"
        "On Mon, Nov 23, 2026 at 9:00 AM Paciolan <noreply@evenue.net> wrote:\n"
        "> Sam Ortiz has sent you 2 tickets.\n"
        "> Game: Soccer vs. Stanford\n"
        "> When: November 30, 2026 1:00 PM PT\n"
        "> Section: 4 Row: B Seats: 17-18\n"
        "> https://cal.evenue.net/transfer/accept?q=55\n"
    )
    parsed = parse_message(build("Re: Sam Ortiz has sent you 2 tickets", text=text,
                                 sender="Sam Ortiz <sam.o@example.com>"))
    assert parsed.forwarded and parsed.from_portal
    assert parsed.seats == ("17", "18") and parsed.event_name == "Soccer vs. Stanford"
    assert parsed.sender_name == "Sam Ortiz"


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Taylor Brooks sent you 2 tickets.", "Taylor Brooks"),
        ("Taylor Brooks has sent you tickets!", "Taylor Brooks"),
        ("Taylor Brooks has transferred tickets to your account.", "Taylor Brooks"),
        ("You have received 2 tickets from Taylor Brooks.", "Taylor Brooks"),
        ("Transferred by: Taylor Brooks", "Taylor Brooks"),
        ("Sender: Taylor Brooks <tb@example.com>", "Taylor Brooks"),
    ],
)
def test_sender_phrasings(phrase: str, name: str) -> None:
    text = f"{phrase}\nEvent: Lacrosse vs. Navy\nSeats: 3-4\nhttps://x.evenue.net/accept?a=1\n"
    parsed = parse_message(build("Ticket transfer", text=text))
    assert parsed.sender_name == name


@pytest.mark.parametrize(
    ("seats", "expected"),
    [
        ("5-6", ("5", "6")), ("5 – 8", ("5", "6", "7", "8")),
        ("12 through 15", ("12", "13", "14", "15")),
        ("101 thru 104", ("101", "102", "103", "104")), ("1, 2, 3", ("1", "2", "3")),
        ("7 & 8", ("7", "8")), ("7 and 8", ("7", "8")),
    ],
)
def test_seat_forms_after_a_bare_label(seats: str, expected: tuple[str, ...]) -> None:
    text = f"Event\tGymnastics Meet\nSeats\t{seats}\nhttps://x.evenue.net/accept?a=1\n"
    parsed = parse_message(build("Ticket transfer", text=text))
    assert parsed.seats == expected


def test_event_after_tickets_to_and_a_seat_location_cell() -> None:
    html = """<table role="presentation"><tr><td><p>Hi there,</p>
    <p>Jordan Smith has sent you <strong>2</strong> tickets to <strong>Football vs. Michigan
    </strong>.</p><table>
    <tr><td style="font-weight:bold">Date:</td><td>Saturday, September 12, 2026</td></tr>
    <tr><td style="font-weight:bold">Time:</td><td>3:30 PM EDT</td></tr>
    <tr><td style="font-weight:bold">Seat Location:</td><td>Section 24, Row 30, Seats 11-12</td>
    </tr></table>
    <a href="https://msu.evenue.net/cgi-bin/ncommerce3/SEGetTransfer?id=1234">ACCEPT</a>
    </td></tr></table>"""
    parsed = parse_message(build("Your Ticket Transfer from Jordan Smith", html=html))
    assert parsed.event_name == "Football vs. Michigan"
    assert (parsed.section, parsed.row, parsed.seats) == ("24", "30", ("11", "12"))
    assert parsed.event_starts_at == datetime(2026, 9, 12, 19, 30, tzinfo=UTC)
    assert parsed.missing == ()


def test_dot_leaders_between_labels_and_values() -> None:
    text = (
        "Dear Fan,\n\nThe following tickets were transferred to you by Casey Jones:\n\n"
        "  Event ............ Basketball vs Duke\n  Date ............. Feb 7 2027, 8:00 PM\n"
        "  Section .......... 105\n  Row .............. K\n  Seats ............ 1-4\n\n"
        "To accept visit https://unc.evenue.net/transfer/accept?id=5\n"
    )
    parsed = parse_message(build("Tickets Transferred to You", text=text))
    assert (parsed.event_name, parsed.section, parsed.row) == ("Basketball vs Duke", "105", "K")
    assert parsed.seats == ("1", "2", "3", "4") and parsed.sender_name == "Casey Jones"
    assert parsed.event_starts_at == datetime(2027, 2, 7, 20, 0)


def test_unlabelled_heading_above_a_date_goes_to_review() -> None:
    text = (
        "Quinn Rivera wants to transfer 3 tickets to you.\n\n"
        "NCAA Tournament First Round - Session 2\nThursday, March 18, 2027 | 12:15 PM ET\n"
        "Section: 103  Row: 8  Seats: 4, 5, 6\n\n"
        "https://ncaa.evenue.net/transfer/accept/9\nThis transfer expires March 16, 2027.\n"
    )
    parsed = parse_message(build("Action required: accept your tickets", text=text))
    assert parsed.event_name == "NCAA Tournament First Round - Session 2"
    assert parsed.low_confidence == ("event_name",)
    assert parsed.sender_name == "Quinn Rivera" and parsed.seats == ("4", "5", "6")
    assert parsed.expires_at is not None and parsed.expires_at.date().isoformat() == "2027-03-16"


def test_two_column_header_cells_and_a_transfer_from_label() -> None:
    html = """<table><tr><th align=left>Event Name</th><td>UCLA Bruins vs. USC Trojans</td></tr>
    <tr><th>Event Date &amp; Time</th><td>Sat, Nov 21 2026 5:00pm PST</td></tr>
    <tr><th>Location</th><td>Rose Bowl Stadium</td></tr><tr><th>Section</th><td>Club C</td></tr>
    <tr><th>Row</th><td>AA</td></tr><tr><th>Seat(s)</th><td>1, 2</td></tr></table>
    <p>Transfer from: Kim Lee (kim@example.com)</p>
    <a href="https://uclabruins.evenue.net/transfer/accept/abc">Accept Transfer</a>"""
    parsed = parse_message(build("Tickets have been transferred to you", html=html,
                                 sender="UCLA Tickets <tickets@uclabruins.evenue.net>"))
    assert (parsed.sender_name, parsed.sender_email) == ("Kim Lee", "kim@example.com")
    assert (parsed.event_name, parsed.venue) == ("UCLA Bruins vs. USC Trojans", "Rose Bowl Stadium")
    assert (parsed.section, parsed.row, parsed.seats) == ("Club C", "AA", ("1", "2"))
    assert parsed.event_starts_at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert parsed.low_confidence == ()


def test_gmail_forward_with_separate_date_and_time_labels() -> None:
    text = (
        "---------- Forwarded message ---------\n"
        "From: UCLA Tickets <tickets@uclabruins.evenue.net>\nDate: Mon, Nov 23, 2026 at 9:00 AM\n"
        "Subject: Ticket Transfer\nTo: <kim@example.com>\n\n"
        "Kim Lee sent you 2 tickets\nGame: Bruins vs. Utes\nDate: December 5, 2026\n"
        "Time: 7:30 PM PT\nSec: 210 Row: F Seat: 9-10\n"
        "Accept: https://uclabruins.evenue.net/transfer/accept?r=4\n"
    )
    parsed = parse_message(build("Fwd: Ticket Transfer", text=text,
                                 sender="Kim Lee <kim@example.com>"))
    assert parsed.forwarded and parsed.event_name == "Bruins vs. Utes"
    assert (parsed.section, parsed.row, parsed.seats) == ("210", "F", ("9", "10"))
    assert parsed.event_starts_at == datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
