"""The webhook deliverer: fan out new events per endpoint, lease due deliveries, POST them.

At least once: a delivery is leased (not removed) before the POST and marked delivered after
the receiver's 2xx; a deliverer killed mid-send leaves the lease to run out and another pass
sends it again (receivers dedupe on the event id, also sent as ``Idempotency-Key``). Several
deliverers may run at once (claims skip leased rows). Sends run in a small thread pool, so a
hanging receiver holds one slot for at most its timeout. URLs are never logged (they may carry
a token); endpoints are named.
"""

from __future__ import annotations

import concurrent.futures
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from app import __version__
from app.config import WebhookSettings
from app.credentials import CredentialStore, webhook_key, webhook_url_key
from app.db.engine import libpq_url
from app.errors import ConfigError
from app.outcomes.feed import CHANNEL
from app.services.base import Service
from app.webhooks import repository as repo
from app.webhooks.messages import ALERT_KINDS, DEFAULT_EVENTS, FORMATS, render
from app.webhooks.repository import DeliveryJob
from app.webhooks.schedule import GIVE_UP_AFTER, retry_delay
from app.webhooks.signing import HEADER, sign

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """A configured endpoint with its URL and secret resolved from the keyring."""

    name: str
    url: str
    secret: str | None
    events: frozenset[str]
    format: str = "json"
    timeout: float = 10.0

    @property
    def alarm_kinds(self) -> frozenset[str]:
        """The alarm kinds among the events (staff alerts)."""
        return frozenset(k for k in self.events if k in ALERT_KINDS)


def resolve_endpoints(configured: Sequence[WebhookSettings],
                      credentials: CredentialStore) -> list[Endpoint]:
    """Endpoints from config + keyring.

    Raises:
        ConfigError: an unknown format or event, no URL, or a JSON endpoint without a secret.
    """
    endpoints = []
    for hook in configured:
        where = f"[[webhooks]] {hook.name!r}"
        if hook.format not in FORMATS:
            raise ConfigError(f"{where}: format must be one of {', '.join(FORMATS)}")
        known = set(DEFAULT_EVENTS["json"]) | set(ALERT_KINDS)
        unknown = sorted(set(hook.events) - known)
        if unknown:
            raise ConfigError(f"{where}: unknown event(s) {', '.join(unknown)} (known: "
                              f"{', '.join(sorted(known))})")
        url = hook.url or credentials.get(webhook_url_key(hook.name))
        if not url or not url.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: needs url (or the keyring entry "
                              f"{webhook_url_key(hook.name)})")
        secret = credentials.get(webhook_key(hook.name))
        if hook.format == "json" and not secret:
            raise ConfigError(f"{where}: no signing secret; store one with `transferdesk "
                              f"credentials set webhook {hook.name}`")
        endpoints.append(Endpoint(hook.name, url, secret,
                                  frozenset(hook.events or DEFAULT_EVENTS[hook.format]),
                                  hook.format, hook.timeout))
    return endpoints


@dataclass
class DeliveryStats:
    """What one pass did."""

    queued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class WebhookDeliverer(Service):
    """Deliver to ``endpoints``; see the module docstring.

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        endpoints: resolved endpoints.
        lease_seconds: how long a claimed delivery is reserved (longer than any timeout).
        concurrency: parallel sends.
    """

    def __init__(self, bind: object, endpoints: Sequence[Endpoint], *, role: str | None = None,
                 lease_seconds: float = 60.0, concurrency: int = 4, batch: int = 50,
                 rng: random.Random | None = None) -> None:
        super().__init__(bind, "webhooks", role)  # type: ignore[arg-type]
        self.endpoints = {e.name: e for e in endpoints}
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.rng = rng or random.Random()
        self._pool = concurrent.futures.ThreadPoolExecutor(concurrency, "webhook-send")
        self.stop_event = threading.Event()

    def close(self) -> None:
        """Stop the send threads (waits for sends in flight)."""
        self._pool.shutdown(wait=True)

    def stop(self) -> None:
        """Ask :meth:`run` to end."""
        self.stop_event.set()

    # -- one pass -----------------------------------------------------------------------------

    def fan_out(self) -> int:
        """Queue new events and alarms for every endpoint; how many deliveries were queued."""
        total = 0
        for endpoint in self.endpoints.values():
            with self.transaction() as session:
                total += repo.fan_out(session, endpoint.name, endpoint.events,
                                      endpoint.alarm_kinds)
        return total

    def run_once(self) -> DeliveryStats:
        """Fan out, then send every due delivery (retries scheduled later stay queued)."""
        stats = DeliveryStats(queued=self.fan_out())
        while not self.stop_event.is_set():
            with self.transaction() as session:
                jobs = repo.claim_due(session, self.batch, self.lease_seconds)
            if not jobs:
                break
            futures = {self._pool.submit(self._send, job): job for job in jobs}
            for future in concurrent.futures.as_completed(futures):
                self._record(futures[future], future.result(), stats)
        return stats

    def _send(self, job: DeliveryJob) -> tuple[int | None, str]:
        endpoint = self.endpoints.get(job.endpoint)
        if endpoint is None:
            return None, f"endpoint {job.endpoint!r} is no longer configured"
        message = render(job, endpoint.format)
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.event_id,
                   "TransferDesk-Event-Id": message.event_id,
                   "User-Agent": f"TransferDesk/{__version__}"}
        if endpoint.secret:
            headers[HEADER] = sign(endpoint.secret, message.body)
        request = urllib.request.Request(endpoint.url, data=message.body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:
                return int(response.status), ""
        except urllib.error.HTTPError as exc:
            return int(exc.code), f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return None, f"{type(exc).__name__}: {reason}"

    def _record(self, job: DeliveryJob, outcome: tuple[int | None, str],
                stats: DeliveryStats) -> None:
        code, error = outcome
        with self.transaction() as session:
            if code is not None and 200 <= code < 300:
                repo.mark_delivered(session, job.id, code)
                stats.delivered += 1
                return
            now = datetime.now(UTC)
            retry_at = now + retry_delay(job.attempts, self.rng)
            if retry_at - job.created_at > GIVE_UP_AFTER:
                repo.mark_failed(session, job.id, error, code, None)
                stats.dead += 1
                log.warning("webhook %s: delivery %d dead after %d attempt(s): %s",
                            job.endpoint, job.id, job.attempts, error)
            else:
                repo.mark_failed(session, job.id, error, code, retry_at)
                stats.failed += 1
            stats.errors.append(error)

    # -- loop ---------------------------------------------------------------------------------

    def run(self, database_url: str, poll_interval: float = 5.0) -> None:
        """Deliver until :meth:`stop`, woken by NOTIFY ``outcome_events`` (poll as fallback)."""
        conn: psycopg.Connection[tuple[object, ...]] | None = None
        try:
            while not self.stop_event.is_set():
                if conn is None or conn.closed:
                    conn = _listen(database_url)
                try:
                    self.run_once()
                except Exception as exc:  # database away: retry after the poll interval
                    log.warning("webhooks: pass failed: %s", str(exc).splitlines()[0])
                _wait(conn, self.stop_event, poll_interval)
        finally:
            if conn is not None:
                conn.close()


def _listen(database_url: str) -> psycopg.Connection[tuple[object, ...]] | None:
    conn = None
    try:
        conn = psycopg.connect(libpq_url(database_url), autocommit=True, connect_timeout=5)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn
    except psycopg.Error as exc:
        if conn is not None:
            conn.close()  # connected, but LISTEN failed: never leave it open
        log.warning("webhooks: LISTEN unavailable, polling: %s", exc)
        return None


def _wait(conn: psycopg.Connection[tuple[object, ...]] | None, stop: threading.Event,
          seconds: float) -> None:
    if conn is None:
        stop.wait(seconds)
        return
    deadline = time.monotonic() + seconds
    try:
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if any(True for _ in conn.notifies(timeout=min(left, 0.5), stop_after=1)):
                return
    except psycopg.Error:
        conn.close()
