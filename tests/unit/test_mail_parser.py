"""The notice parser over our own corpus: every layout, encoding and seat notation."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from app.mail.parser import TRANSFER_NOTICE, UNRECOGNIZED, VERIFICATION_CODE, parse_message
from app.mail.values import parse_datetime, parse_seats
from tests.unit import mail_samples as samples


def test_plain_text_notice_yields_every_field() -> None:
    parsed = parse_message(samples.notice())
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.platform == "paciolan"
    assert (parsed.sender_name, parsed.sender_email) == ("Jane Doe", "jane.doe@example.com")
    assert parsed.event_name == "Ducks vs. Beavers"
    assert parsed.venue == "Autzen Stadium"
    assert (parsed.section, parsed.row, parsed.seats) == ("12", "5", ("5", "6", "7", "8"))
    assert parsed.quantity == 4
    assert parsed.accept_url == "https://goducks.evenue.net/transfer/accept?id=TR-88231&t=abc"
    assert parsed.transfer_ref == "TR-88231"
    assert parsed.event_starts_at is not None
    assert parsed.event_starts_at.astimezone(UTC) == datetime(2026, 11, 29, 3, 30, tzinfo=UTC)
    assert parsed.expires_at is not None
    assert parsed.expires_at.astimezone(UTC) == datetime(2026, 12, 2, 7, 59, tzinfo=UTC)
    assert parsed.to_addrs == (samples.ACCOUNT,)
    assert parsed.missing == () and not parsed.template_drift
    assert parsed.message_key == "<abc123@evenue.net>"


def test_html_only_quoted_printable_latin1() -> None:
    parsed = parse_message(samples.html_only_qp())
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.subject == "José Núñez has sent you 3 tickets"
    assert parsed.sender_name == "José Núñez"
    assert parsed.event_name == "Cougars at Sun Devils"
    assert (parsed.section, parsed.row, parsed.seats) == ("104", "22", ("1", "2", "3"))
    assert parsed.accept_url is not None and "TransferAccept?ref=A77Q" in parsed.accept_url
    # "within 72 hours" counts from the Date header.
    assert parsed.expires_at == datetime(2026, 11, 24, 10, tzinfo=UTC) + timedelta(hours=72)


def test_multipart_base64_with_non_ascii_names() -> None:
    parsed = parse_message(samples.multipart_base64())
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.sender_name == "Zoë Ångström"
    assert parsed.seats == ("12", "13", "14")
    assert parsed.transfer_ref == "TR-55120"
    assert parsed.event_starts_at is not None and parsed.event_starts_at.hour == 17


@pytest.mark.parametrize("build", [samples.forwarded_inline, samples.forwarded_attachment])
def test_forwarded_notice_is_read_from_the_original(build: object) -> None:
    parsed = parse_message(build())  # type: ignore[operator]
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.forwarded and parsed.from_portal
    assert len(parsed.seats) == 2
    assert parsed.accept_url is not None and parsed.transfer_ref in parsed.accept_url


def test_several_events_in_one_notice() -> None:
    parsed = parse_message(samples.multi_event())
    assert [e.event_name for e in parsed.events] == ["Hoops Opener", "Hoops Rivalry Game"]
    assert [e.seats for e in parsed.events] == [("1", "2"), ("3", "4")]
    assert [(e.section, e.row) for e in parsed.events] == [("101", "C"), ("102", "D")]
    assert parsed.event_name == "Hoops Opener" and parsed.quantity == 4


def test_unknown_charset_falls_back_without_losing_text() -> None:
    parsed = parse_message(samples.bad_charset())
    assert parsed.kind == TRANSFER_NOTICE
    assert parsed.sender_name == "François Dupré"
    assert parsed.subject.startswith("François")


def test_verification_code() -> None:
    parsed = parse_message(samples.verification_code("713204"))
    assert (parsed.kind, parsed.code, parsed.missing) == (VERIFICATION_CODE, "713204", ())


def test_changed_template_from_portal_is_flagged_as_drift() -> None:
    parsed = parse_message(samples.drifted())
    assert parsed.from_portal
    assert "accept_url" in parsed.missing and "seats" in parsed.missing
    assert parsed.template_drift


def test_portal_mail_that_is_not_a_notice_is_no_drift() -> None:
    marketing = samples.unrelated().replace(b"Bob <bob@example.com>", b"news@paciolan.com")
    assert parse_message(marketing).kind == UNRECOGNIZED
    assert not parse_message(marketing).template_drift
    assert not parse_message(samples.unrelated()).template_drift


def test_lookalike_sender_is_never_read_as_a_notice() -> None:
    parsed = parse_message(samples.lookalike())
    assert parsed.kind == UNRECOGNIZED and parsed.accept_url is None
    assert not parsed.from_portal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5-8", ["5", "6", "7", "8"]),
        ("1, 2, 3", ["1", "2", "3"]),
        ("12 through 14", ["12", "13", "14"]),
        ("12 thru 13", ["12", "13"]),
        ("3 & 4", ["3", "4"]),
        ("7 and 8", ["7", "8"]),
        ("A1-A3", ["A1", "A2", "A3"]),
        ("101 – 102", ["101", "102"]),
        ("9", ["9"]),
        ("1-100000", ["1", "100000"]),  # an absurd range is kept as its two ends
        ("4, 4, 5", ["4", "5"]),
    ],
)
def test_seat_expressions(text: str, expected: list[str]) -> None:
    assert parse_seats(text) == expected


@pytest.mark.parametrize(
    "line", ["Seats 5-8", "Seat 1, 2, 3", "Seats: 12 through 14", "Seats 3 & 4", "SEAT 7"]
)
def test_seat_lines_inside_a_notice(line: str) -> None:
    parsed = parse_message(samples.notice(seats=line))
    assert parsed.seats and parsed.seats == tuple(parse_seats(line.split(maxsplit=1)[1]
                                                              .lstrip(": ")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saturday, November 28, 2026 at 7:30 PM ET", "2026-11-28T19:30:00-05:00"),
        ("Nov 28, 2026 7:30 p.m.", "2026-11-28T19:30:00"),
        ("11/28/2026 19:30", "2026-11-28T19:30:00"),
        ("2026-11-28 19:30", "2026-11-28T19:30:00"),
        ("November 28th, 2026", "2026-11-28T00:00:00"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    parsed = parse_datetime(text)
    assert parsed is not None and parsed.isoformat() == expected


def test_unparseable_date_is_none() -> None:
    assert parse_datetime("sometime next week") is None


def test_cli_prints_one_json_object(tmp_path: object) -> None:
    from pathlib import Path

    eml = Path(str(tmp_path)) / "notice.eml"
    eml.write_bytes(samples.html_only_qp())
    junk = Path(str(tmp_path)) / "junk.eml"
    junk.write_bytes(b"\x00\xff not an email at all")
    for path, kind in ((eml, TRANSFER_NOTICE), (junk, UNRECOGNIZED)):
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli.main", "mail", "parse", str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["kind"] == kind
    missing = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "mail", "parse", str(eml) + ".missing"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr and missing.stdout == ""


@pytest.mark.parametrize(
    ("charset", "seller", "encoding"),
    [
        ("shift_jis", "山田 太郎", "base64"),
        ("iso-2022-jp", "山田 太郎", "7bit"),
        ("koi8-r", "Иван Петров", "quoted-printable"),
        ("windows-1252", "Zoë “Zee” Ångström", "quoted-printable"),
        ("utf-16", "Zoë Ångström", "base64"),
        ("gb2312", "王小明", "base64"),
    ],
)
def test_any_charset_and_transfer_encoding(charset: str, seller: str, encoding: str) -> None:
    import base64
    import quopri

    body = samples.notice_text(seller=seller).encode(charset)
    if encoding == "base64":
        payload = base64.encodebytes(body)
    elif encoding == "quoted-printable":
        payload = quopri.encodestring(body)
    else:
        payload = body
    raw = (
        f"From: {samples.PORTAL_FROM}\r\nTo: {samples.ACCOUNT}\r\n"
        f"Subject: You have received 4 tickets\r\nMessage-ID: <cs-{charset}@evenue.net>\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    ).encode("ascii") + payload
    parsed = parse_message(raw)
    assert parsed.kind == TRANSFER_NOTICE and parsed.missing == ()
    assert parsed.sender_name == seller
    assert parsed.seats == ("5", "6", "7", "8")
