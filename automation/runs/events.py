"""Live events of an acceptance run, published on :class:`app.events.EventBus`.

Plain frozen dataclasses (no Qt): the desktop re-emits them as signals through ``ui/bridge.py``;
a headless worker only logs them. Times are UTC ``datetime`` objects.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.states import Outcome


@dataclass(frozen=True)
class StepStarted:
    """A named step of a run began (``sign_in``, ``open_transfer``, ``accept``, ...)."""

    run_key: str
    transfer_id: int
    step: str
    at: datetime


@dataclass(frozen=True)
class StepFinished:
    """A step ended; ``ok`` is False when it raised or ended the run."""

    run_key: str
    transfer_id: int
    step: str
    at: datetime
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class LogLine:
    """One human-readable line of the run's log (never holds a secret)."""

    run_key: str
    transfer_id: int
    at: datetime
    level: str
    message: str


@dataclass(frozen=True)
class Frame:
    """One JPEG frame of the live browser view (throttled to about 5 per second)."""

    run_key: str
    transfer_id: int
    at: datetime
    jpeg: bytes = field(repr=False)


@dataclass(frozen=True)
class RunFinished:
    """The run ended with ``outcome``; ``status`` is the transfer's new status, or where the
    outcome went instead (``journaled``, ``lease_lost``, ``released``)."""

    run_key: str
    transfer_id: int
    at: datetime
    outcome: Outcome
    detail: str
    status: str
    journaled: bool = False


class Answer:
    """A one-shot, thread-safe reply slot the UI fills for an operator request."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._value: str | None = None

    def set(self, value: str | None) -> None:
        """Answer (``None`` means the operator declined)."""
        self._value = value
        self._event.set()

    def wait(self, timeout: float) -> str | None:
        """Block up to ``timeout`` seconds; ``None`` if unanswered or declined."""
        if not self._event.wait(timeout):
            return None
        return self._value

    @property
    def answered(self) -> bool:
        """True once :meth:`set` was called."""
        return self._event.is_set()


@dataclass(frozen=True)
class OperatorCodeRequested:
    """The verification code did not arrive by email: ask the operator to type it.

    The UI calls ``answer.set(code)`` (or ``answer.set(None)`` to give up).
    """

    run_key: str
    transfer_id: int
    account: str
    at: datetime
    answer: Answer = field(compare=False, repr=False)


@dataclass(frozen=True)
class TakeoverRequested:
    """The portal needs a human (bot challenge, unexpected page).

    The UI opens the headed browser on the same session, lets staff finish by hand, then calls
    ``answer.set("done")`` to hand back (or ``answer.set(None)`` to give up: needs_review).
    """

    run_key: str
    transfer_id: int
    reason: str
    at: datetime
    answer: Answer = field(compare=False, repr=False)
