"""The parser never raises: CPython's email test corpus, fuzzing, size cap, message keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.mail.mime import derived_key
from app.mail.parser import KINDS, TRANSFER_NOTICE, UNRECOGNIZED, parse_message
from tests.unit import mail_samples as samples


def _cpython_email_data() -> Path:
    import test.test_email  # the CPython test package ships with this interpreter

    return Path(test.test_email.__file__).parent / "data"


def test_every_message_in_cpython_email_test_data_parses() -> None:
    data = _cpython_email_data()
    files = sorted(p for p in data.iterdir() if p.name.startswith("msg_"))
    assert len(files) >= 40, f"CPython email test data missing in {data}"
    kinds = set()
    for path in files:
        parsed = parse_message(path.read_bytes())
        assert parsed.parse_error is None, (path.name, parsed.parse_error)
        assert parsed.message_key, path.name
        kinds.add(parsed.kind)
    assert kinds == {UNRECOGNIZED}  # none of them is a portal email


def test_binary_files_in_the_corpus_do_not_break_it() -> None:
    for path in sorted(_cpython_email_data().iterdir()):
        if not path.name.startswith("msg_"):
            assert parse_message(path.read_bytes()).kind == UNRECOGNIZED


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert parsed.kind in KINDS
    assert parsed.message_key and parsed.size == len(raw)


_notice = samples.notice()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(_notice) - 1), st.integers(1, 64), st.binary(max_size=64))
def test_fuzz_mutated_notice(at: int, cut: int, insert: bytes) -> None:
    raw = _notice[:at] + insert + _notice[at + cut:]
    parsed = parse_message(raw)
    assert parsed.parse_error is None
    assert parsed.size == len(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_text_fields_in_a_notice(noise: str) -> None:
    raw = samples.notice(event=noise.replace("\r", " "), seats="Seats " + noise[:20])
    assert parse_message(raw).parse_error is None


def test_huge_message_is_kept_but_not_parsed() -> None:
    raw = samples.notice() + b"x" * 2048
    parsed = parse_message(raw, max_bytes=1024)
    assert parsed.kind == UNRECOGNIZED and parsed.from_portal
    assert parsed.parse_error is not None and "too large" in parsed.parse_error
    assert parsed.message_key == "<abc123@evenue.net>" and parsed.size == len(raw)


def test_missing_message_id_gets_a_stable_derived_key() -> None:
    first = samples.notice(message_id=None)
    redelivered = b"Received: from mx2 by mx1; Mon, 23 Nov 2026 09:00:01 +0000\r\n" + first
    other = samples.notice(message_id=None, ref="TR-1")
    key = parse_message(first).message_key
    assert key.startswith("sha256:") and key == derived_key(first)
    assert parse_message(redelivered).message_key == key
    assert parse_message(other).message_key != key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (b"X-Mailer: a\r\nX-Trace: 1\r\n", b"X-Mailer: a\r\nX-Trace: 2\r\n"),  # header-only
        (b"Subject: hi\r\nX-Id: 1", b"Subject: hi\r\nX-Id: 2"),  # no blank line at all
        (bytes(range(256)) * 4, bytes(reversed(range(256))) * 4),  # binary, no headers
        (b"\x00\x01garbage-one", b"\x00\x01garbage-two"),
    ],
)
def test_different_headerless_or_binary_messages_get_different_keys(
    first: bytes, second: bytes
) -> None:
    assert parse_message(first).message_key != parse_message(second).message_key
    assert parse_message(first).message_key == parse_message(first).message_key


def test_transport_headers_do_not_change_a_derived_key() -> None:
    raw = b"X-Mailer: a\r\nX-Trace: 1\r\n"
    relayed = b"Received: from mx9 by mx1\r\nDelivered-To: a@b.example\r\n" + raw
    assert parse_message(relayed).message_key == parse_message(raw).message_key


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x",
        b"Content-Transfer-Encoding: base64\r\nContent-Type: text/html\r\n\r\n!!!notb64",
        b"From: =?utf-8?q?=E2=28?= <noreply@paciolan.com>\r\nSubject: =?bogus?b?***?=\r\n\r\n",
        b"Content-Type: text/plain; charset=\"\x00\xff\"\r\n\r\nhi",
    ],
)
def test_malformed_mime_never_raises(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert parsed.kind in (UNRECOGNIZED, TRANSFER_NOTICE)
    assert parsed.message_key


def test_a_broken_template_file_is_a_clear_error(tmp_path: Path) -> None:
    from app.errors import ConfigError
    from app.mail.templates import template_from_toml

    bad = tmp_path / "portal.toml"
    bad.write_text("platform = 'x'\n[fields]\nseats = ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[fields\] seats: invalid regular expression"):
        template_from_toml(bad)
    bad.write_text("[fields]\nseat_map = ['x']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown field"):
        template_from_toml(bad)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    "<table>", "</table>", "<tr>", "<td>", "</td>", "<th>", "Seats", "Row", "Section", "Event",
    "Date", "5-8", "Club C", "vs.", "Nov 28, 2026", "7:30 PM ET", ":", "\n", "<br>",
    '<div style="display:none">', "</div>", "&nbsp;", "https://x.evenue.net/accept?a=1",
    "sent you", "from", "Jane Doe", "...........", "Seat(s)", "thru", "&", "\t",
]) | st.text(max_size=20), max_size=80))
def test_fuzz_tables_and_labels_never_crash(pieces: list[str]) -> None:
    html = "".join(pieces)
    raw = (f"From: {samples.PORTAL_FROM}\r\nSubject: Ticket transfer\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n").encode() + html.encode("utf-8",
                                                                                    "replace")
    parsed = parse_message(raw)
    assert parsed.parse_error is None and parsed.kind in KINDS
    assert all(0.0 <= c <= 1.0 for c in parsed.confidence.values())
