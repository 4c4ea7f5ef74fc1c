"""Open trace without ``playwright show-trace``: the viewer Playwright's driver ships, served on
127.0.0.1 with the trace, loaded in real Chromium (no Playwright-downloaded browser needed)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, expect

from automation.browser.trace_viewer import LOOPBACK, TraceViewerServer, viewer_dir


@pytest.fixture
def viewer() -> Iterator[TraceViewerServer]:
    server = TraceViewerServer()
    yield server
    server.stop()


def _record_trace(browser: Browser, path: Path) -> None:
    context = browser.new_context()
    context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()
    page.set_content("<h1>My Account</h1><button>Accept transfer</button>")
    page.click("text=Accept transfer")
    context.tracing.stop(path=str(path))
    context.close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_served_viewer_shows_the_trace(browser: Browser, viewer: TraceViewerServer,
                                       tmp_path: Path) -> None:
    trace = tmp_path / "run-trace.zip"
    _record_trace(browser, trace)

    url = viewer.url_for(trace)

    assert url.startswith(f"http://{LOOPBACK}:{viewer.port}/")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_text('locator("text=Accept transfer")').first).to_be_visible(
            timeout=30000)
        expect(page.get_by_text("Set content").first).to_be_visible()
    finally:
        context.close()


def test_trace_is_served_on_loopback_only(viewer: TraceViewerServer, tmp_path: Path) -> None:
    trace = tmp_path / "secret-trace.zip"
    trace.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: only its bytes matter here
    trace_url = parse_qs(urlsplit(viewer.url_for(trace)).query)["trace"][0]

    with urllib.request.urlopen(trace_url, timeout=10) as response:
        assert response.read() == trace.read_bytes()
    others = {"127.0.0.2"}
    try:  # this machine's outward address, when it has one
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            others.add(probe.getsockname()[0])
    except OSError:
        pass
    for address in others - {LOOPBACK}:
        with pytest.raises(OSError), socket.create_connection((address, viewer.port), 3):
            pass
    base = f"http://{LOOPBACK}:{viewer.port}"
    token_path = urlsplit(trace_url).path
    assert _status(f"{base}/traces/not-a-token/{trace.name}") == 404
    assert _status(f"{base}{token_path.rsplit('/', 1)[0]}/other.zip") == 404
    assert _status(f"{base}/..%2F..%2F..%2Fetc%2Fpasswd") == 404
    assert _status(f"{base}/index.html") == 200
    assert (viewer_dir() / "index.html").is_file()
