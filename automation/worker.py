"""The headless worker: claim due transfers, run them in the browser, record outcomes.

One process = one browser service (one Chromium) running up to ``concurrency`` runs. The main
thread claims work and waits; a heartbeat thread renews leases and the workers row; the change
feed (LISTEN/NOTIFY) wakes the loop at once when a transfer becomes claimable, and a poll
covers lost notifications. SIGTERM stops claiming, lets running runs finish within a grace
period (leases still renewed), then aborts what is left at a safe point and releases those
claims; a second SIGTERM (or Ctrl-C) skips what is left of the grace period.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from app.boundary import start_boundary
from app.changefeed import ChangeFeed, QueueResync, TransferChanged
from app.config import Settings
from app.credentials import CredentialStore
from app.db.engine import make_engine
from app.domain.errors import LeaseLostError
from app.errors import KnownError
from app.events import EventBus
from app.services.deadline_runner import start_sweeper
from app.services.ops import WorkerService
from automation.portals import choice as portal_choice
from automation.portals.profile import PortalProfile, load_profile
from automation.portals.protocol import PortalAdapter
from automation.runs.mfa import MailCodeLookup
from automation.runs.recording import is_unreachable
from automation.runs.runner import AbortSignal, AcceptanceRunner, RunJob, RunResult
from automation.runs.stack import RunStack, StackOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """Knobs of one worker process."""

    concurrency: int = 1
    once: bool = False
    poll_interval: float = 10.0
    lease_seconds: float = 120.0
    heartbeat_interval: float = 20.0
    reap_interval: float = 30.0
    rate_limit_seconds: float = 0.25
    shutdown_grace: float = 30.0
    mfa_timeout: float = 60.0
    role: str | None = None
    label: str = ""
    worker_id: str | None = None


@lru_cache(maxsize=16)
def profile_for(platform: str) -> PortalProfile:
    """The selector profile named after the platform (resources/portals/<platform>.toml)."""
    return load_profile(platform)


def default_adapter(platform: str, site_url: str) -> PortalAdapter:
    """A Paciolan adapter: the profile detected for the site, or detection at first sign-in
    (the runner applies an account's recorded profile: ``RunJob.profile``)."""
    return portal_choice.adapter_for_site(platform, site_url)


@dataclass
class _Active:
    job: RunJob
    abort: AbortSignal
    future: concurrent.futures.Future[RunResult]


class Worker:
    """A headless worker on one database.

    Args:
        settings: the loaded settings (browser, data dir, max attempts).
        database_url: libpq URL of the shared database.
        options: concurrency, intervals, role.
        credentials: the keyring (portal passwords, storage key).
        code_lookup: ``wait_for_code(account_email, newer_than, timeout)`` for emailed codes
            (None: the first configured mailbox, see :mod:`automation.runs.stack`).
        adapter_for: ``(platform, site_url) -> PortalAdapter`` (tests may swap profiles).
        bus: where run events go (logged when nobody listens).
    """

    def __init__(
        self,
        settings: Settings,
        database_url: str,
        options: WorkerOptions,
        credentials: CredentialStore,
        code_lookup: MailCodeLookup | None = None,
        adapter_for: Callable[[str, str], PortalAdapter] = default_adapter,
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings
        self.database_url = database_url
        self.options = options
        self.credentials = credentials
        self.code_lookup = code_lookup
        self.adapter_for = adapter_for
        self.bus = bus or EventBus()
        self.worker_id = options.worker_id or (
            f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        )
        self._stop = threading.Event()
        self._hurry = threading.Event()  # a second stop request: skip the grace period
        self._beat_stop = threading.Event()  # heartbeats outlive _stop: runs finish under lease
        self._wake = threading.Event()
        self._active: dict[int, _Active] = {}
        self._lock = threading.Lock()
        self.results: list[RunResult] = []

    # -- control ---------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Stop claiming and shut down gracefully; called again, abort and release the running
        runs without waiting for the rest of the grace period (safe from a signal handler)."""
        if self._stop.is_set():
            self._hurry.set()
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Look for work now (a NOTIFY arrived)."""
        self._wake.set()

    # -- main ------------------------------------------------------------------------------

    def run(self) -> int:
        """Work until stopped (or, with ``once``, until nothing is claimable); exit code."""
        opts = self.options
        engine = make_engine(self.database_url, pool_size=opts.concurrency + 3)
        workers = WorkerService(engine, opts.label or self.worker_id, opts.role)
        stack = RunStack(
            self.settings, engine, self.credentials, self.bus, opts.label or self.worker_id,
            StackOptions(rate_limit_seconds=opts.rate_limit_seconds,
                         mail_timeout=opts.mfa_timeout, lease_seconds=opts.lease_seconds),
            role=opts.role, adapter_for=self.adapter_for, code_lookup=self.code_lookup,
        )
        self.stack = stack
        try:  # fail fast (one clear line) when the browser cannot start
            runner = stack.start(browser_timeout=120)
            workers.register(self.worker_id, "worker", opts.label)
        except BaseException:
            stack.stop()
            engine.dispose()
            raise
        stop_feed = self._start_change_feed()
        stop_boundary = start_boundary(self.settings, self.database_url, self.credentials)
        beat = threading.Thread(target=self._heartbeat_loop, args=(workers,),
                                name="worker-heartbeat", daemon=True)
        beat.start()
        sweeper = start_sweeper(engine, self.settings, opts.label or self.worker_id, opts.role)
        log.info("worker %s started (concurrency %d)", self.worker_id, opts.concurrency)
        try:
            self._loop(runner)
        finally:
            self._shutdown()
            self._stop.set()
            self._beat_stop.set()
            beat.join(timeout=5)
            sweeper.stop()
            stop_feed()
            stop_boundary()
            stack.stop()
            try:
                workers.stop(self.worker_id)
            except Exception as exc:  # the database may be gone: the row goes stale
                log.warning("could not mark the worker stopped: %s", exc)
            engine.dispose()
            log.info("worker %s stopped after %d run(s)", self.worker_id, len(self.results))
        return 0

    def _start_change_feed(self) -> Callable[[], None]:
        """Start the LISTEN thread (waking the loop on NOTIFY); returns its stop function."""
        feed = ChangeFeed(self.database_url, self.bus)
        self.bus.subscribe(
            lambda event: self.wake() if event.status == "notice_received" else None,
            TransferChanged,
        )
        self.bus.subscribe(lambda _: self.wake(), QueueResync)  # bulk changes, reconnects
        feed.start()
        return feed.stop

    def _loop(self, runner: AcceptanceRunner) -> None:
        opts = self.options
        next_maintenance = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_maintenance:
                self._maintenance()
                next_maintenance = time.monotonic() + opts.reap_interval
            self._collect()  # first, so a finished run's slot is free for the next claim
            exhausted = self._fill(runner)
            if opts.once and exhausted and not self._active:
                break
            self._wake.wait(opts.poll_interval)
            self._wake.clear()

    def _maintenance(self) -> None:
        try:
            reaped = self.stack.claims.reap_expired()
            if reaped:
                log.info("returned %d transfer(s) with expired leases to the queue", len(reaped))
            self.stack.recorder.replay_journal()
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            log.warning("database unreachable (maintenance skipped): %s", _short(exc))

    def _fill(self, runner: AcceptanceRunner) -> bool:
        """Claim until ``concurrency`` runs are active; True when the queue had nothing due."""
        while len(self._active) < self.options.concurrency and not self._stop.is_set():
            try:
                job = self.stack.jobs.claim_job(self.worker_id)
            except KnownError as exc:
                log.error("a claimed transfer cannot run: %s", exc)
                continue
            except Exception as exc:
                if not is_unreachable(exc):
                    raise
                log.warning("database unreachable, cannot claim: %s", _short(exc))
                return False
            if job is None:
                return True
            abort = AbortSignal()
            future = runner.submit(job, abort)
            future.add_done_callback(lambda _: self._wake.set())
            with self._lock:
                self._active[job.transfer_id] = _Active(job, abort, future)
        return False

    def _collect(self) -> None:
        with self._lock:
            done = [tid for tid, a in self._active.items() if a.future.done()]
            finished = [self._active.pop(tid) for tid in done]
        for active in finished:
            try:
                result = active.future.result()
            except Exception:
                log.exception("run of transfer %s crashed", active.job.transfer_id)
                continue
            self.results.append(result)
            log.info("transfer %s: %s -> %s", result.transfer_id, result.outcome.value,
                     result.status)

    def _shutdown(self) -> None:
        """Let runs finish within the grace period, then abort and release the rest."""
        if not self._active:
            return
        deadline = time.monotonic() + self.options.shutdown_grace
        log.info("stopping: waiting up to %.0f s for %d run(s) to finish",
                 self.options.shutdown_grace, len(self._active))
        while self._active and time.monotonic() < deadline and not self._hurry.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            self._collect()
        with self._lock:
            remaining = list(self._active.values())
        if remaining:
            log.info("stopping: aborting %d run(s) and releasing their claims", len(remaining))
        for active in remaining:
            active.abort.abort(release_claim=True)
        concurrent.futures.wait([a.future for a in remaining], timeout=120)
        self._collect()

    def _heartbeat_loop(self, workers: WorkerService) -> None:
        while not self._beat_stop.wait(self.options.heartbeat_interval):
            with self._lock:
                active = list(self._active.values())
            try:
                current = active[0].job.transfer_id if active else None
                workers.beat(self.worker_id, current)
                for item in active:
                    try:
                        self.stack.claims.heartbeat(item.job.transfer_id, self.worker_id)
                    except LeaseLostError:
                        log.warning("lost the lease of transfer %s; aborting its run",
                                    item.job.transfer_id)
                        item.abort.abort()
            except Exception as exc:
                if not is_unreachable(exc):
                    log.exception("heartbeat failed")
                else:
                    log.warning("database unreachable, heartbeat skipped: %s", _short(exc))


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
