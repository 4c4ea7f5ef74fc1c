"""The desk's connection lifecycle: open the database off the GUI thread, or give up cleanly.

:class:`DeskConnection` owns the one connect task and the lock-guarded hand-over between the
executor thread that opens the backend and the GUI loop that uses it. States:

    idle ──connect()──▶ connecting ──opened──▶ on_open(url, backend) ──▶ done (the caller owns it)
    connecting ──cancel()──▶ closing ──released()──▶ closed (whatever was opened is shut down)

A backend the connect thread finishes opening after :meth:`DeskConnection.cancel` is shut down
by that thread itself, or by :meth:`DeskConnection.released` when it was parked just before the
cancel; it is never leaked and never used. No Qt here (asyncio and the executor only).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from ui.db_executor import ServiceExecutor

log = logging.getLogger(__name__)


class Releasable(Protocol):
    """A backend that can give its connection back (marks the desk stopped, closes the pool)."""

    def shut_down(self) -> None:
        """Release the backend (blocking)."""


B = TypeVar("B", bound=Releasable)


class DeskConnection(Generic[B]):
    """Opens one backend for a window, cancellably.

    Args:
        executor: runs the blocking open and shut-down calls.
        open_backend: ``() -> (database url, backend)`` (blocking; may start a local cluster).
    """

    def __init__(self, executor: ServiceExecutor,
                 open_backend: Callable[[], tuple[str, B]]) -> None:
        self._executor = executor
        self._open_backend = open_backend
        self._lock = threading.Lock()
        self._closing = False
        self._parked: tuple[str, B] | None = None  # opened by the thread, not yet handed over
        self.task: asyncio.Task[None] | None = None

    @property
    def connecting(self) -> bool:
        """True while the connect task runs (opening, or in ``on_open``)."""
        return self.task is not None and not self.task.done()

    async def connect(self, on_open: Callable[[str, B], Awaitable[None]]) -> bool:
        """Open the backend off the GUI thread, then await ``on_open(url, backend)``, both in
        one task that :meth:`cancel` ends.

        Returns:
            True once ``on_open`` completed; False when :meth:`cancel` came first (this call
            then returns quietly, its caller is not cancelled).

        Raises:
            KnownError: the database cannot be reached or started.
        """
        task = asyncio.get_event_loop().create_task(self._connect(on_open),
                                                    name="connect-database")
        self.task = task
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and self._closing and not (current and current.cancelling()):
                return False  # the window closed while connecting
            raise
        return not self._closing

    async def _connect(self, on_open: Callable[[str, B], Awaitable[None]]) -> None:
        opened = await self._executor.call(self._open)
        if opened is None:
            return
        with self._lock:
            self._parked = None  # the caller owns it now
        await on_open(*opened)

    def _open(self) -> tuple[str, B] | None:
        """On the executor thread: open, then hand over unless the window is closing."""
        opened = self._open_backend()
        with self._lock:
            if not self._closing:
                self._parked = opened
                return opened
        opened[1].shut_down()  # the window closed meanwhile: nobody will use it
        return None

    def cancel(self) -> bool:
        """Stop connecting (returns at once); True when a connect task was running."""
        if not self.connecting:
            return False
        with self._lock:
            self._closing = True
        assert self.task is not None
        self.task.cancel()
        return True

    async def released(self) -> None:
        """After :meth:`cancel`: wait for the connect task, then shut down what it left."""
        if self.task is not None:
            try:
                await self.task
            except asyncio.CancelledError:
                pass
            except Exception:  # it failed on its own just before the cancel: closing anyway
                log.debug("connecting ended with an error while closing", exc_info=True)
        with self._lock:
            leftover, self._parked = self._parked, None
        if leftover is not None:
            try:
                await self._executor.call(leftover[1].shut_down)
            except Exception as exc:  # the database went away: nothing left to mark
                log.warning("releasing the desk's connection failed: %s", exc)
