"""A logging reverse proxy on a loopback address: a look-alike of the sandbox portal.

It forwards every request to ``upstream`` and keeps what it received (method, path, headers,
body), so a test can assert that the portal password never reached it. ``redirect(prefix, to)``
answers paths under ``prefix`` with a 302 to ``to`` + the path instead (a site that sends the
browser elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.fixtures.forwarding import ForwardingProxy


@dataclass(frozen=True)
class Received:
    """One request as the proxy saw it."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def blob(self) -> bytes:
        """Everything the client sent, for secret scans."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers)
        return f"{self.method} {self.path}\n{head}\n\n".encode() + self.body


class LoggingProxy(ForwardingProxy):
    """Listen on ``host`` (a loopback address), forward to ``upstream`` (``http://h:p``)."""

    def __init__(self, upstream: str, host: str = "127.0.0.2") -> None:
        super().__init__(upstream, host)
        self._redirects: dict[str, str] = {}
        self.received: list[Received] = []

    def redirect(self, prefix: str, to: str) -> None:
        """Answer paths starting with ``prefix`` with ``302 Location: <to><path>``."""
        with self._lock:
            self._redirects[prefix] = to

    def intercept(self, handler: BaseHTTPRequestHandler, body: bytes) -> bool:
        """Keep the request; answer it with the redirect when one covers its path."""
        self.received.append(Received(handler.command, handler.path,
                                      tuple(handler.headers.items()), body))
        target = next((to for prefix, to in self._redirects.items()
                       if handler.path.startswith(prefix)), None)
        if target is None:
            return False
        handler.send_response(302)
        handler.send_header("Location", target + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return True
