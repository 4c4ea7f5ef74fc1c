"""How the desk starts and steers browser runs: :class:`RunControl` and its implementation.

:class:`DeskRunControl` starts the shared :class:`automation.runs.stack.RunStack` (browser
service on its own thread and loop, runner, recorder, codes) on first use, claims a transfer
for this desk, turns the claim into a job and submits it to the interactive runner (takeover
and operator codes go to the run panel through the event bus; emailed codes are read from the
mailbox first). A small heartbeat thread renews the leases of running jobs, so a long takeover
does not lose its claim. No Qt here: the run panel calls these methods through the service
executor and awaits the returned futures.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine

from app.config import Settings
from app.credentials import CredentialStore
from app.db.engine import make_engine
from app.domain.errors import LeaseLostError
from app.errors import KnownError
from app.events import EventBus
from automation.runs.events import LogLine
from automation.runs.mfa import MailCodeLookup

if TYPE_CHECKING:  # Playwright loads with the stack, on the first run
    from automation.browser.service import BrowserService
    from automation.runs.jobs import AbortSignal, AdapterFor, RunJob, RunResult
    from automation.runs.stack import RunStack

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0
MAIL_CODE_SECONDS = 45.0  # how long the mailbox is watched for a code before asking


class RunControl(Protocol):
    """How the desktop starts and steers browser runs (blocking calls: use the executor)."""

    def accept(self, transfer_id: int, abort: AbortSignal) -> Future[RunResult]:
        """Claim ``transfer_id`` and submit its run; the future resolves to the run's result."""

    def open_browser(self, run_key: str) -> None:
        """Takeover: show the headed browser on the run's session."""

    def record_takeover(
        self, transfer_id: int, started_at: datetime, ended_at: datetime, outcome: str
    ) -> None:
        """Write the takeover (who, when, how long; "handed_back" or "gave_up") to the audit."""


class DeskRunControl:
    """Claim-and-run for the desktop.

    Args:
        settings: browser, data dir and attempt settings.
        database_url: the shared database.
        bus: where run events go (the bridge re-emits them to the panel).
        worker_id: this desk's ``claimed_by`` identity.
        credentials: the keyring (portal passwords, storage-state key).
        adapter_for: ``(platform, site_url) -> PortalAdapter`` (the worker's default).
        code_lookup: emailed verification codes (None: the first configured mailbox, if any;
            the operator is asked when no code arrives).
    """

    def __init__(
        self, settings: Settings, database_url: str, bus: EventBus, worker_id: str,
        credentials: CredentialStore | None = None, adapter_for: AdapterFor | None = None,
        code_lookup: MailCodeLookup | None = None,
    ) -> None:
        self.settings = settings
        self.database_url = database_url
        self.bus = bus
        self.worker_id = worker_id
        self.credentials = credentials or CredentialStore()
        self.adapter_for = adapter_for
        self.code_lookup = code_lookup
        self._lock = threading.Lock()
        self._jobs: dict[str, RunJob] = {}
        self._engine: Engine | None = None
        self._stack: RunStack | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _ensure_started(self) -> RunStack:
        with self._lock:
            if self._stack is not None:
                return self._stack
            from automation.runs.stack import RunStack, StackOptions

            stack = RunStack(
                self.settings, self._database(), self.credentials, self.bus,
                self.settings.display_name or self.worker_id,
                StackOptions(interactive=True, live_frames=True, rate_limit_seconds=1.0,
                             mail_timeout=MAIL_CODE_SECONDS),
                adapter_for=self.adapter_for, code_lookup=self.code_lookup,
            )
            stack.start()  # emailed codes first, then the operator
            self._stack = stack
            self._beat = threading.Thread(target=self._heartbeat, args=(stack,),
                                          name="desk-heartbeat", daemon=True)
            self._beat.start()
            return stack

    def accept(self, transfer_id: int, abort: AbortSignal) -> Future[RunResult]:
        """Claim ``transfer_id`` for this desk and submit its run (blocking: use the executor).

        Raises:
            KnownError: the transfer is not claimable (held elsewhere, no notice yet) or its
                account is unusable (no password in the keyring).
        """
        stack = self._ensure_started()
        claim = stack.claims.claim(self.worker_id, transfer_id=transfer_id)
        if claim is None:
            raise KnownError(
                f"transfer {transfer_id} cannot be claimed now (no notice yet, already held, "
                "or waiting for its next attempt)"
            )
        try:
            job = stack.jobs.job_for(claim)
        except KnownError as exc:
            stack.claims.release(transfer_id, self.worker_id, reason=str(exc))
            raise
        future = stack.runner.submit(job, abort)
        with self._lock:
            self._jobs[job.run_key] = job
        future.add_done_callback(lambda _f: self._forget(job.run_key))
        return future

    def _forget(self, run_key: str) -> None:
        with self._lock:
            self._jobs.pop(run_key, None)

    @property
    def browser_service(self) -> BrowserService | None:
        """The desk's browser service (None until the first run starts it)."""
        return None if self._stack is None else self._stack.service

    def account_key(self, run_key: str) -> str | None:
        """The browser-session key of a run in progress (None once it finished)."""
        with self._lock:
            job = self._jobs.get(run_key)
        return None if job is None else str(job.account_key)

    def open_browser(self, run_key: str) -> None:
        """Bring the run's headed browser window to the front (the run already moved it)."""
        with self._lock:
            job = self._jobs.get(run_key)
        service = self.browser_service
        if job is None or service is None:
            return

        async def front() -> None:
            session = await service.session(job.account_key)
            await (await session.page()).bring_to_front()

        service.call(front(), timeout=30)

    def _database(self) -> Engine:
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

    def _heartbeat(self, stack: RunStack) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                jobs = list(self._jobs.values())
            for job in jobs:
                try:
                    stack.claims.heartbeat(job.transfer_id, self.worker_id)
                except LeaseLostError:
                    log.warning("lost the lease of transfer %s", job.transfer_id)
                except Exception as exc:  # database blip: the next beat retries
                    log.warning("heartbeat failed: %s", exc)

    def close(self) -> None:
        """Stop the heartbeat and the browser thread."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        if self._stack is not None:
            self._stack.stop()
        if self._engine is not None:
            self._engine.dispose()
