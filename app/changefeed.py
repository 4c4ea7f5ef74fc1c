"""Change feed: turn PostgreSQL NOTIFY ``transfer_changes`` into core events.

One daemon thread holds an autocommit psycopg connection that LISTENs. Each notification
becomes a :class:`TransferChanged` on the :class:`~app.events.EventBus`; a bulk statement (the
trigger sends ``{"resync": true}``), every (re)connection and a periodic timer publish a
:class:`QueueResync`, so notifications lost while disconnected are covered by a refresh.
Connection failures are retried with exponential backoff and reported as
:class:`ChangeFeedStatus`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

import psycopg

from app.db.engine import current_url, libpq_url
from app.events import EventBus

log = logging.getLogger(__name__)

CHANNEL = "transfer_changes"


@dataclass(frozen=True)
class TransferChanged:
    """A transfer row changed (or was created)."""

    id: int
    status: str
    version: int


@dataclass(frozen=True)
class QueueResync:
    """Reload whatever is shown: changes may have been missed or were too many to list."""

    reason: str


@dataclass(frozen=True)
class ChangeFeedStatus:
    """The feed connected or lost its connection (``error`` says why)."""

    connected: bool
    error: str | None = None


class ChangeFeed:
    """The LISTEN thread.

    Args:
        database_url: libpq or SQLAlchemy URL of the database.
        bus: where events are published.
        resync_interval: seconds between periodic :class:`QueueResync` events.
        max_backoff: longest wait between reconnection attempts, in seconds.
    """

    def __init__(self, database_url: str, bus: EventBus, resync_interval: float = 30.0,
                 max_backoff: float = 30.0) -> None:
        self._url = libpq_url(database_url)
        self._bus = bus
        self._resync_interval = resync_interval
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = threading.Event()

    @property
    def connected(self) -> bool:
        """True while the LISTEN connection is up."""
        return self._connected.is_set()

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)
        self._thread.start()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        """Block until the feed is listening (tests, startup); False on timeout."""
        return self._connected.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and join the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except psycopg.Error as exc:
                self._connected.clear()
                log.warning("change feed disconnected: %s; retrying in %.1f s", exc, backoff)
                self._bus.publish(ChangeFeedStatus(False, str(exc).strip() or type(exc).__name__))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    def _listen(self) -> None:
        with psycopg.connect(current_url(self._url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._connected.set()
            self._bus.publish(ChangeFeedStatus(True))
            self._bus.publish(QueueResync("connected"))
            next_resync = time.monotonic() + self._resync_interval
            while not self._stop.is_set():
                wait = max(0.0, min(0.5, next_resync - time.monotonic()))
                for notify in conn.notifies(timeout=wait):
                    self._publish(notify.payload)
                if time.monotonic() >= next_resync:
                    self._bus.publish(QueueResync("periodic"))
                    next_resync = time.monotonic() + self._resync_interval
            self._connected.clear()

    def _publish(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            if data.get("resync"):
                self._bus.publish(QueueResync(f"bulk change of {data.get('count')} transfers"))
                return
            self._bus.publish(TransferChanged(int(data["id"]), str(data["status"]),
                                              int(data["version"])))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("ignoring malformed %s payload %r", CHANNEL, payload[:200])
