"""A tiny HTTP proxy on 127.0.0.1 in front of localstripe: counts requests, loses replies.

``drop_reply(suffix)`` makes the next request whose path ends with ``suffix`` reach Stripe and
run there, while the client only sees its connection closed: the classic "did my capture happen?"
network failure that idempotency keys exist for.
"""

from __future__ import annotations

from collections import Counter
from http.server import BaseHTTPRequestHandler

from tests.fixtures.forwarding import ForwardingProxy


class FlakyProxy(ForwardingProxy):
    """Forward to ``target`` (``http://host:port``), recording ``(method, path)`` per request."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self._drops: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []

    def drop_reply(self, path_suffix: str, times: int = 1) -> None:
        """Forward the next ``times`` matching requests but close the connection unanswered."""
        with self._lock:
            self._drops[path_suffix] += times

    def count(self, method: str, path_suffix: str) -> int:
        """How many requests with ``method`` had a path ending in ``path_suffix``."""
        with self._lock:
            return sum(1 for m, p in self.requests
                       if m == method and p.split("?")[0].endswith(path_suffix))

    def intercept(self, handler: BaseHTTPRequestHandler, body: bytes) -> bool:
        """Record the request; always forward it."""
        self.requests.append((handler.command, handler.path))
        return False

    def lose_reply(self, path: str) -> bool:
        """True once per ``drop_reply`` whose suffix ends ``path``."""
        with self._lock:
            for suffix, left in self._drops.items():
                if left > 0 and path.split("?")[0].endswith(suffix):
                    self._drops[suffix] -= 1
                    return True
        return False
