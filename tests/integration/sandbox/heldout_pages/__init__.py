"""Held-out portal pages: recipient-side flows written without looking at our profiles.

Each variant directory holds static HTML (plus a little JS keeping sign-in and accept state in
cookies) and a ``variant.json``: its family (``modern``/``legacy``), the transfer link, the
expected outcome and, optionally, HTTP statuses per path, a text the outcome's detail must hold
and paths the run must (not) open. A file missing from the variant is
taken from ``_shared/<family>/``. :class:`HeldoutSite` serves one variant on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from automation.sandbox.lifecycle import LocalServer

ROOT = Path(__file__).parent
SHARED = ROOT / "_shared"


@dataclass(frozen=True)
class Variant:
    """One held-out page set as its ``variant.json`` describes it."""

    name: str
    family: str
    summary: str
    link: str
    expected: str
    status: dict[str, int] = field(default_factory=dict)
    detail: str = ""  # a text the run's outcome detail must contain
    visits: list[str] = field(default_factory=list)  # paths the run must open
    never_visits: list[str] = field(default_factory=list)  # paths it must not
    accept_clicks: int = 0  # how often the site's accept action must have run

    @property
    def folder(self) -> Path:
        return ROOT / self.name


def variants() -> list[Variant]:
    """Every variant directory, by name."""
    found = []
    for meta in sorted(ROOT.glob("*/variant.json")):
        if meta.parent.name.startswith("_"):
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        found.append(Variant(name=meta.parent.name, **data))
    return found


def _resolve(variant: Variant, url_path: str) -> Path | None:
    """The file serving ``url_path``: the variant's own, else the family's shared one."""
    if url_path.startswith("/_heldout/"):
        candidate = SHARED / url_path.removeprefix("/_heldout/")
        return candidate if candidate.is_file() else None
    relative = url_path.strip("/") or "index"
    if ".." in relative.split("/"):
        return None
    for base in (variant.folder, SHARED / variant.family):
        for candidate in (base / relative, base / f"{relative}.html",
                          base / relative / "index.html"):
            if candidate.is_file():
                return candidate
    return None


class HeldoutSite(LocalServer):
    """A stdlib HTTP server on 127.0.0.1 serving one variant, stopped on exit."""

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = urlsplit(self.path).path
                site.requests.append(path)
                if path.startswith("/_heldout/ping/"):  # an action the page reports
                    self.send_response(HTTPStatus.NO_CONTENT)
                    self.end_headers()
                    return
                found = _resolve(site.variant, path)
                if found is None:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = found.read_bytes()
                kind = {".js": "text/javascript", ".json": "application/json"}.get(
                    found.suffix, "text/html; charset=utf-8"
                )
                self.send_response(site.variant.status.get(path, HTTPStatus.OK))
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def pings(self, what: str) -> int:
        """How often the pages reported the action ``what`` (``accepted``, ``paid``)."""
        return self.requests.count(f"/_heldout/ping/{what}")

    @property
    def link(self) -> str:
        return self.url + self.variant.link

    def start(self) -> None:
        """Serve from a daemon thread (the socket is bound and listening already)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
