"""The browser fixture drives a real Chromium: load a local page and click a button."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

PAGE = b"""<!doctype html><html><head><title>Accept transfer</title></head><body>
<button id="accept" onclick="document.getElementById('state').textContent='accepted'">
Accept</button><p id="state">pending</p></body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
        pass


@pytest.fixture
def page_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/transfer"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_click_changes_the_page(page: Page, page_url: str) -> None:
    page.goto(page_url)
    assert page.title() == "Accept transfer"
    assert page.text_content("#state") == "pending"
    page.click("#accept")
    page.wait_for_function("document.getElementById('state').textContent === 'accepted'")
    assert page.text_content("#state") == "accepted"


def test_browser_is_chromium(page: Page) -> None:
    version = page.context.browser.version if page.context.browser else ""
    assert version and version[0].isdigit(), version


def test_asyncio_still_runs_after_browser_tests() -> None:
    # The session browser must not leave Playwright's loop marked as running in this thread.
    assert asyncio.run(asyncio.sleep(0, result="ran")) == "ran"
