"""The desk's :class:`ui.run_panel.RunControl` over the automation layer.

Starts one :class:`automation.browser.service.BrowserService` (its own thread and loop) on
first use, claims a transfer for this desk, turns the claim into a job and submits it to an
interactive :class:`automation.runs.runner.AcceptanceRunner` (takeover and operator codes go to
the run panel through the event bus). A small heartbeat thread renews the leases of running
jobs, so a long takeover does not lose its claim. No Qt here: the panel calls these methods
through the service executor and awaits the returned futures.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from app.config import Settings
from app.credentials import CredentialStore
from app.db.engine import make_engine
from app.domain.errors import LeaseLostError
from app.errors import KnownError
from app.events import EventBus
from automation.runs.events import LogLine

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0


class DeskRunControl:
    """Claim-and-run for the desktop.

    Args:
        settings: browser, data dir and attempt settings.
        database_url: the shared database.
        bus: where run events go (the bridge re-emits them to the panel).
        worker_id: this desk's ``claimed_by`` identity.
        credentials: the keyring (portal passwords, storage-state key).
        adapter_for: ``(platform, site_url) -> PortalAdapter`` (the worker's default).
        code_lookup: emailed verification codes (None: only the operator prompt).
    """

    def __init__(
        self, settings: Settings, database_url: str, bus: EventBus, worker_id: str,
        credentials: CredentialStore | None = None, adapter_for: Any = None,
        code_lookup: Any = None,
    ) -> None:
        self.settings = settings
        self.database_url = database_url
        self.bus = bus
        self.worker_id = worker_id
        self.credentials = credentials or CredentialStore()
        self.adapter_for = adapter_for
        self.code_lookup = code_lookup
        self._lock = threading.Lock()
        self._jobs: dict[str, Any] = {}
        self._service: Any = None
        self._runner: Any = None
        self._store: Any = None
        self._engine: Any = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _ensure_started(self) -> None:
        with self._lock:
            if self._runner is not None:
                return
            from app.services.breakers import policy_of
            from automation.browser.service import BrowserService
            from automation.browser.storage import StorageStateStore
            from automation.journal import OutcomeJournal
            from automation.runs.ratelimit import AccountRateLimiter
            from automation.runs.recording import RunStore
            from automation.runs.runner import AcceptanceRunner, RunnerOptions
            from automation.worker import default_adapter

            data = self.settings.data_dir
            self._store = RunStore(
                self._database(), OutcomeJournal(data / "journal"), self.credentials,
                self.settings.display_name or self.worker_id,
                max_attempts=self.settings.max_attempts,
                evidence_max_bytes=self.settings.evidence_max_bytes,
                breaker=policy_of(self.settings),
            )
            key = self.credentials.storage_key().encode("ascii")
            service = BrowserService(self.settings.browser,
                                     StorageStateStore(data / "browser", key))
            service.start()
            self._service = service
            self._runner = AcceptanceRunner(
                service, self.bus, self.adapter_for or default_adapter, self._codes_for,
                self._store, AccountRateLimiter(1.0),
                RunnerOptions(interactive=True, live_frames=True),
            )
            self._beat = threading.Thread(target=self._heartbeat, name="desk-heartbeat",
                                          daemon=True)
            self._beat.start()

    def _codes_for(self, job: Any) -> Any:
        from automation.runs.mfa import (
            ChainedCodeProvider,
            MailboxCodeProvider,
            OperatorCodeProvider,
        )

        providers: list[Any] = []
        if self.code_lookup is not None:
            providers.append(MailboxCodeProvider(self.code_lookup, 60.0))
        providers.append(OperatorCodeProvider(self.bus, job.run_key, job.transfer_id))
        return ChainedCodeProvider(*providers)

    def accept(self, transfer_id: int, abort: Any) -> Future[Any]:
        """Claim ``transfer_id`` for this desk and submit its run (blocking: use the executor).

        Raises:
            KnownError: the transfer is not claimable (held elsewhere, no notice yet) or its
                account is unusable (no password in the keyring).
        """
        self._ensure_started()
        claim = self._store.claims.claim(self.worker_id, transfer_id=transfer_id)
        if claim is None:
            raise KnownError(
                f"transfer {transfer_id} cannot be claimed now (no notice yet, already held, "
                "or waiting for its next attempt)"
            )
        try:
            job = self._store.job_for(claim)
        except KnownError as exc:
            self._store.claims.release(transfer_id, self.worker_id, reason=str(exc))
            raise
        future: Future[Any] = self._runner.submit(job, abort)
        with self._lock:
            self._jobs[job.run_key] = job
        future.add_done_callback(lambda _f: self._forget(job.run_key))
        return future

    def _forget(self, run_key: str) -> None:
        with self._lock:
            self._jobs.pop(run_key, None)

    @property
    def browser_service(self) -> Any:
        """The desk's :class:`BrowserService` (None until the first run starts it)."""
        return self._service

    def account_key(self, run_key: str) -> str | None:
        """The browser-session key of a run in progress (None once it finished)."""
        with self._lock:
            job = self._jobs.get(run_key)
        return None if job is None else str(job.account_key)

    def open_browser(self, run_key: str) -> None:
        """Bring the run's headed browser window to the front (the run already moved it)."""
        with self._lock:
            job = self._jobs.get(run_key)
        if job is None or self._service is None:
            return

        async def front() -> None:
            session = await self._service.session(job.account_key)
            await (await session.page()).bring_to_front()

        self._service.call(front(), timeout=30)

    def _database(self) -> Any:
        """The desk's engine, made on first use (call with ``self._lock`` held)."""
        if self._engine is None:
            self._engine = make_engine(self.database_url, pool_size=2)
        return self._engine

    def record_takeover(
        self, transfer_id: int, started_at: datetime, ended_at: datetime, outcome: str
    ) -> None:
        """Audit who took over, when and for how long (blocking: use the executor).

        Args:
            outcome: ``"handed_back"`` or ``"gave_up"``.

        Raises:
            DomainError: an unknown outcome or reversed times (nothing written).
        """
        from app.services.transfers import TransferService

        who = self.settings.display_name or self.worker_id
        with self._lock:
            engine = self._database()
        seconds = TransferService(engine, who).record_takeover(
            transfer_id, started_at, ended_at, outcome)
        message = f"takeover by {who}: {seconds} s, {outcome.replace('_', ' ')}"
        log.info("transfer %s: %s", transfer_id, message)
        with self._lock:
            run_keys = [k for k, j in self._jobs.items() if j.transfer_id == transfer_id]
        for run_key in run_keys:
            self.bus.publish(LogLine(run_key, transfer_id, ended_at, "INFO", message))

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                jobs = list(self._jobs.values())
            for job in jobs:
                try:
                    self._store.claims.heartbeat(job.transfer_id, self.worker_id)
                except LeaseLostError:
                    log.warning("lost the lease of transfer %s", job.transfer_id)
                except Exception as exc:  # database blip: the next beat retries
                    log.warning("heartbeat failed: %s", exc)

    def close(self) -> None:
        """Stop the heartbeat and the browser thread."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        if self._service is not None:
            self._service.stop()
        if self._engine is not None:
            self._engine.dispose()
