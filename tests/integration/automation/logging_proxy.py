"""A logging reverse proxy on a loopback address: a look-alike of the sandbox portal.

It forwards every request to ``upstream`` and keeps what it received (method, path, headers,
body), so a test can assert that the portal password never reached it. ``redirect(prefix, to)``
answers paths under ``prefix`` with a 302 to ``to`` + the path instead (a site that sends the
browser elsewhere).
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


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


class LoggingProxy:
    """Listen on ``host`` (a loopback address), forward to ``upstream`` (``http://h:p``)."""

    def __init__(self, upstream: str, host: str = "127.0.0.2") -> None:
        parts = urlsplit(upstream)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._redirects: dict[str, str] = {}
        self.received: list[Received] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the proxy."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def redirect(self, prefix: str, to: str) -> None:
        """Answer paths starting with ``prefix`` with ``302 Location: <to><path>``."""
        with self._lock:
            self._redirects[prefix] = to

    def __enter__(self) -> LoggingProxy:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy._lock:
                    proxy.received.append(Received(self.command, self.path,
                                                   tuple(self.headers.items()), body))
                    target = next((to for prefix, to in proxy._redirects.items()
                                   if self.path.startswith(prefix)), None)
                if target is not None:
                    self.send_response(302)
                    self.send_header("Location", target + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                upstream = http.client.HTTPConnection(*proxy._target, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in _HOP_HEADERS}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                reply = upstream.getresponse()
                payload = reply.read()
                upstream.close()
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in _HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = _forward  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet

        return Handler
