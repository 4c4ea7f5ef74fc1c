"""app.urls: the one host check for accept links and pages, and the one URL redaction."""

from __future__ import annotations

import logging

import pytest

from app.urls import (
    UntrustedLinkError,
    check_accept_url,
    install_log_redaction,
    is_loopback,
    is_on_site,
    link_problem,
    redact_text,
    redact_url,
    site_problem,
)

SITE = "https://goducks.evenue.net/tickets/ducks"
SANDBOX = "http://127.0.0.1:8123/tickets/state-u"


@pytest.mark.parametrize("url", [
    "https://goducks.evenue.net/transfer/accept?id=1&t=x",
    "HTTPS://GoDucks.evenue.net:443/other/path",
])
def test_links_on_the_registered_site_are_trusted(url: str) -> None:
    assert is_on_site(url, SITE) and check_accept_url(url, SITE) == url


@pytest.mark.parametrize(("url", "site"), [
    ("https://goducks.evenue.net.evil.example/accept", SITE),  # a look-alike suffix
    ("https://evil.example/goducks.evenue.net/accept", SITE),
    ("http://goducks.evenue.net/accept", SITE),  # downgrade to http
    ("https://goducks.evenue.net:8443/accept", SITE),  # another port
    ("https://user@goducks.evenue.net.evil.example/", SITE),
    ("javascript:alert(1)", SITE),
    ("http://127.0.0.2:8123/tickets/state-u/transfer/x", SANDBOX),  # another loopback address
    ("http://localhost:8123/tickets/state-u/transfer/x", SANDBOX),  # another loopback name
    ("http://127.0.0.1:8124/tickets/state-u/transfer/x", SANDBOX),  # another port
    ("https://goducks.evenue.net/accept", "http://goducks.evenue.net"),  # site on plain http
    ("https://goducks.evenue.net/accept", None),  # no account
])
def test_anything_else_is_refused_with_a_reason(url: str, site: str | None) -> None:
    assert not is_on_site(url, site or "")
    with pytest.raises(UntrustedLinkError, match="untrusted accept link: .+"):
        check_accept_url(url, site)


def test_no_link_is_fine() -> None:
    assert check_accept_url(None, SITE) is None and check_accept_url("", None) is None


@pytest.mark.parametrize(("site", "problem"), [
    (SITE, None), (SANDBOX, None), ("http://[::1]:9000/x", None),
    ("http://tickets.example.edu", "plain http on a real host"),
    ("https://box:pw@tickets.example.edu", "carries credentials"),
    ("ftp://tickets.example.edu", "not an http(s) URL"),
    ("tickets.example.edu", "not an http(s) URL"),
])
def test_site_problem(site: str, problem: str | None) -> None:
    found = site_problem(site)
    assert (found is None) if problem is None else (problem in (found or ""))
    assert "pw" not in (found or "")


def test_loopback() -> None:
    assert all(is_loopback(h) for h in ("localhost", "127.0.0.1", "127.9.9.9", "[::1]"))
    assert not any(is_loopback(h) for h in ("example.com", "10.0.0.1", "localhost.evil"))


def test_redact_url_hides_query_values_user_info_and_fragment() -> None:
    url = "https://box:S3cret@goducks.evenue.net/transfer/accept?id=TR-1&t=tok123#frag"
    shown = redact_url(url)
    assert shown == "https://…@goducks.evenue.net/transfer/accept?id=…&t=…#…"
    assert "tok123" not in shown and "S3cret" not in shown and "TR-1" not in shown
    assert redact_url("https://a.example/path") == "https://a.example/path"


def test_redact_text_redacts_every_url_in_a_message() -> None:
    text = ("opened https://a.example/x?token=abc123, then "
            "'http://127.0.0.1:9/y?sig=zz9&n=1' and done")
    shown = redact_text(text)
    assert "abc123" not in shown and "zz9" not in shown
    assert shown.startswith("opened https://a.example/x?token=…") and shown.endswith("and done")
    assert link_problem("https://a.example/?t=secret1", SITE) is not None
    assert "secret1" not in (link_problem("https://a.example/?t=secret1", SITE) or "")


def test_log_redaction_covers_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    before = logging.getLogRecordFactory()
    try:
        install_log_redaction()
        install_log_redaction()  # idempotent
        caplog.set_level(logging.INFO)
        logging.getLogger("tests.urls").info("opening %s", "https://a.example/x?t=tok-99")
        assert "tok-99" not in caplog.text and "https://a.example/x?t=…" in caplog.text
    finally:
        logging.setLogRecordFactory(before)
