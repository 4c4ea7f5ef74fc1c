"""A tiny HTTP proxy on 127.0.0.1 in front of localstripe: counts requests, loses replies.

``drop_reply(suffix)`` makes the next request whose path ends with ``suffix`` reach Stripe and
run there, while the client only sees its connection closed: the classic "did my capture happen?"
network failure that idempotency keys exist for.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class FlakyProxy:
    """Forward to ``target`` (``http://host:port``), recording ``(method, path)`` per request."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._drops: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Where to point the Stripe client."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def drop_reply(self, path_suffix: str, times: int = 1) -> None:
        """Forward the next ``times`` matching requests but close the connection unanswered."""
        with self._lock:
            self._drops[path_suffix] += times

    def count(self, method: str, path_suffix: str) -> int:
        """How many requests with ``method`` had a path ending in ``path_suffix``."""
        with self._lock:
            return sum(1 for m, p in self.requests
                       if m == method and p.split("?")[0].endswith(path_suffix))

    def _should_drop(self, path: str) -> bool:
        with self._lock:
            for suffix, left in self._drops.items():
                if left > 0 and path.split("?")[0].endswith(suffix):
                    self._drops[suffix] -= 1
                    return True
        return False

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy._lock:
                    proxy.requests.append((self.command, self.path))
                upstream = http.client.HTTPConnection(*proxy._target, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in _HOP_HEADERS}
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                payload = reply.read()
                upstream.close()
                if proxy._should_drop(self.path):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in _HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _forward  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet

        return Handler
