"""Blocking service calls off the GUI thread, awaited from qasync coroutines.

Services are synchronous (SQLAlchemy + psycopg, keyring, Stripe). :class:`ServiceExecutor` runs
them on a small bounded thread pool. :class:`TaskGroup` keeps references to spawned coroutines
(so none is garbage-collected mid-flight) and supports *named, preemptive* tasks: starting a task
under a name cancels the previous one with that name (search-as-you-type).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class ServiceExecutor:
    """A bounded pool for blocking calls; ``await executor.call(fn, *args)`` from the GUI loop."""

    def __init__(self, max_workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="td-service")

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the pool and return its result (or raise its error)."""
        # qasync may step a task from Qt's event processing while its loop is not "running"
        # (e.g. between run_until_complete calls): use the loop installed for this thread.
        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def shutdown(self, wait: bool = False) -> None:
        """Drop queued calls and let running ones finish (without blocking the GUI by default)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)


class TaskGroup:
    """Owns the UI's background coroutines; named tasks preempt their predecessor.

    ``on_error`` receives any exception a task raises (other than cancellation), so failures
    surface in the UI instead of vanishing into the loop's default handler.
    """

    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error

    def spawn(
        self, coro: Coroutine[Any, Any, Any], name: str | None = None
    ) -> asyncio.Task[Any]:
        """Schedule ``coro``; if ``name`` is given, cancel the running task of that name first."""
        if name is not None and (previous := self._named.get(name)) is not None:
            previous.cancel()
        task = asyncio.get_event_loop().create_task(coro, name=name)
        self._tasks.add(task)
        if name is not None:
            self._named[name] = task
        task.add_done_callback(partial(self._finished, name))
        return task

    def running(self, name: str) -> bool:
        """True while the task named ``name`` has not finished."""
        task = self._named.get(name)
        return task is not None and not task.done()

    def cancel_all(self) -> None:
        """Cancel every task still running (window closing)."""
        for task in list(self._tasks):
            task.cancel()

    def _finished(self, name: str | None, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if name is not None and self._named.get(name) is task:
            del self._named[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                log.error("background task %s failed", name or task, exc_info=exc)
