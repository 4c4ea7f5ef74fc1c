"""What a run needs and returns: jobs, results, abort signals, options, the recorder protocol."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.browser_sessions import session_key
from automation.journal import FinishedRun
from automation.portals.protocol import PortalAdapter, PortalCredentials, TransferTarget
from automation.runs.events import Answer
from automation.runs.mfa import CodeProvider
from automation.runs.outcomes import Outcome


@dataclass(frozen=True)
class RunJob:
    """A claimed transfer ready to run."""

    transfer_id: int
    worker: str
    attempt: int
    platform: str
    credentials: PortalCredentials
    target: TransferTarget
    run_id: int = 0
    run_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    profile: str | None = None  # the account's recorded selector profile (None: detect)

    @property
    def account_key(self) -> str:
        """Identifies the browser session: one per site and username."""
        return session_key(self.credentials.site_url, self.credentials.username)


@dataclass(frozen=True)
class RunResult:
    """How a run ended and where its outcome went."""

    run_key: str
    transfer_id: int
    outcome: Outcome
    detail: str
    status: str
    journaled: bool
    signed_in: bool


class OutcomeRecorder(Protocol):
    """Writes finished runs to the system of record (see ``automation.runs.recording``)."""

    def __call__(self, record: FinishedRun) -> tuple[str, bool]:
        """Record (or journal when the database is unreachable); ``(status, journaled)``."""
        ...

    def release(self, job: RunJob, reason: str) -> None:
        """Give the claim back without an outcome."""
        ...

    def remember_profile(self, job: RunJob, profile: str) -> None:
        """Record the selector profile the job's first sign-in detected (never raises)."""
        ...


class AbortSignal:
    """Set from any thread to stop a run at its next safe point (never mid Playwright call)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._answers: list[Answer] = []
        self.release_claim = False

    def abort(self, release_claim: bool = False) -> None:
        """Request the stop; pending operator prompts are answered with None.

        Args:
            release_claim: give the transfer back to the queue instead of recording
                ``aborted`` (a worker shutting down).
        """
        self.release_claim = release_claim
        self._event.set()
        for answer in list(self._answers):
            answer.set(None)

    @property
    def aborted(self) -> bool:
        """True once :meth:`abort` was called."""
        return self._event.is_set()

    def watch(self, answer: Answer) -> None:
        """Answer ``answer`` with None on abort."""
        self._answers.append(answer)
        if self.aborted:
            answer.set(None)


@dataclass(frozen=True)
class RunnerOptions:
    """How runs behave."""

    trace: bool = True
    live_frames: bool = True
    interactive: bool = False  # desktop: a bot challenge waits for a human takeover
    takeover_timeout: float = 900.0
    screenshot: bool = True
    timeout_ms: float | None = None  # Playwright's per-action timeout (None: the service's)
    session_trust_seconds: float = 60.0  # skip the sign-in check if the session just worked


AdapterFor = Callable[[str, str], PortalAdapter]
CodeProviderFor = Callable[[RunJob], CodeProvider]
