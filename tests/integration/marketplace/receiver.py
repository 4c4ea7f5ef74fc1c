"""A local webhook receiver (127.0.0.1) that checks signatures and can fail or hang on purpose."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.webhooks.signing import HEADER, verify


@dataclass
class Received:
    """One accepted request."""

    event_id: str
    body: dict[str, Any]
    at: float


@dataclass
class Receiver:
    """Start with :meth:`start`; ``fail_rate``/``hang_rate`` answer 500 / sleep ``hang_seconds``."""

    secret: str | None = None
    fail_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 3.0
    seed: int = 7
    received: list[Received] = field(default_factory=list)
    bad_signatures: int = 0
    attempts: int = 0

    def start(self) -> str:
        """Serve in a daemon thread; the URL."""
        rng = random.Random(self.seed)
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    owner.attempts += 1
                    roll = rng.random()
                if owner.secret is not None and not verify(
                        owner.secret, self.headers.get(HEADER, ""), body):
                    with lock:
                        owner.bad_signatures += 1
                    self._answer(400)
                    return
                if roll < owner.hang_rate:
                    time.sleep(owner.hang_seconds)
                    self._answer(504)
                    return
                if roll < owner.hang_rate + owner.fail_rate:
                    self._answer(500)
                    return
                with lock:
                    owner.received.append(Received(self.headers.get("Idempotency-Key", ""),
                                                   json.loads(body), time.time()))
                self._answer(200)

            def _answer(self, code: int) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client timed out and left

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def unique_ids(self) -> set[str]:
        """Event ids received (after dedupe)."""
        return {r.event_id for r in self.received}
