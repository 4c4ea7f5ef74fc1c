"""Blocking service calls off the GUI thread, awaited from qasync coroutines.

Services are synchronous (SQLAlchemy + psycopg, keyring, Stripe). :class:`ServiceExecutor` runs
them on a small bounded thread pool. :class:`TaskGroup` keeps references to spawned coroutines
(so none is garbage-collected mid-flight) and supports *named, preemptive* tasks: starting a task
under a name cancels the previous one with that name (search-as-you-type).

Cancelling a task only stops the coroutine; the thread keeps running the service call. For
read-only queries that a newer one supersedes, :meth:`ServiceExecutor.call_cancellable` also
stops the SQL statement in PostgreSQL (a cancel request for the statement the call is running,
and no new statement afterwards), so a stale search no longer competes with the fresh one.
Owns the executor, the task group and the statement hooks behind cancellable calls.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, ExceptionContext

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
_CANCEL_TIMEOUT_S = 5.0


class _Cancellable(Protocol):
    """The part of a psycopg connection a cancel needs."""

    def cancel_safe(self, timeout: float = ...) -> None: ...


class CallCancelledError(Exception):
    """A cancellable call was cancelled before it could start its next SQL statement."""


class CancelScope:
    """The SQL statement one cancellable call is running, so another thread can cancel it.

    The lock is held while a cancel request is sent, so the connection cannot finish its
    statement and go back to the pool (to run someone else's) before the request has landed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: _Cancellable | None = None
        self.cancelled = False

    def statement_started(self, dbapi_connection: _Cancellable) -> None:
        """Called on the worker thread before each statement of the call."""
        with self._lock:
            if self.cancelled:
                raise CallCancelledError("superseded before this statement started")
            self._connection = dbapi_connection

    def statement_finished(self) -> None:
        """Called on the worker thread after each statement (or its error)."""
        with self._lock:
            self._connection = None

    def cancel(self) -> None:
        """Refuse further statements and cancel the running one, if any (blocks briefly)."""
        with self._lock:
            self.cancelled = True
            if self._connection is not None:
                try:
                    self._connection.cancel_safe(timeout=_CANCEL_TIMEOUT_S)
                except Exception:  # the statement simply runs to its end
                    log.warning("could not cancel a superseded query", exc_info=True)


_scopes = threading.local()
_hooks_lock = threading.Lock()


def _current_scope() -> CancelScope | None:
    scope: CancelScope | None = getattr(_scopes, "scope", None)  # unset on other threads
    return scope


def _before_statement(conn: Connection, *_args: object) -> None:
    if (scope := _current_scope()) is not None:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None  # a connection running a statement has its DBAPI connection
        scope.statement_started(dbapi)  # type: ignore[arg-type]  # psycopg, not the DBAPI stub


def _after_statement(_conn: Connection, *_args: object) -> None:
    if (scope := _current_scope()) is not None:
        scope.statement_finished()


def _statement_failed(_context: ExceptionContext) -> None:
    if (scope := _current_scope()) is not None:
        scope.statement_finished()


def _install_statement_hooks() -> None:
    """Track statements of cancellable calls on every engine (a no-op for other threads)."""
    with _hooks_lock:
        if not event.contains(Engine, "before_cursor_execute", _before_statement):
            event.listen(Engine, "before_cursor_execute", _before_statement)
            event.listen(Engine, "after_cursor_execute", _after_statement)
            event.listen(Engine, "handle_error", _statement_failed)


def _run_in_scope(scope: CancelScope, fn: Callable[[], T]) -> T:
    _scopes.scope = scope
    try:
        return fn()
    finally:
        _scopes.scope = None


class ServiceExecutor:
    """A bounded pool for blocking calls; ``await executor.call(fn, *args)`` from the GUI loop."""

    def __init__(self, max_workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="td-service")
        # Cancel requests are network round trips: never on the GUI thread, never queued
        # behind the very calls they cancel.
        self._canceller = ThreadPoolExecutor(max_workers=1, thread_name_prefix="td-cancel")
        _install_statement_hooks()

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the pool and return its result (or raise its error)."""
        # qasync may step a task from Qt's event processing while its loop is not "running"
        # (e.g. between run_until_complete calls): use the loop installed for this thread.
        loop = asyncio.get_event_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    async def call_cancellable(
        self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like :meth:`call`, for read-only work: cancelling the awaiting task also cancels the
        SQL statement the call is running and refuses the ones after it."""
        scope = CancelScope()
        loop = asyncio.get_event_loop()
        future = loop.run_in_executor(
            self._pool, partial(_run_in_scope, scope, partial(fn, *args, **kwargs))
        )
        try:
            return await future
        except asyncio.CancelledError:
            try:
                self._canceller.submit(scope.cancel)
            except RuntimeError:  # shut down (window closing): the statement just runs out
                pass
            raise

    def shutdown(self, wait: bool = False) -> None:
        """Drop queued calls and let running ones finish (without blocking the GUI by default)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._canceller.shutdown(wait=wait)


class TaskGroup:
    """Owns the UI's background coroutines; named tasks preempt their predecessor.

    ``on_error`` receives any exception a task raises (other than cancellation), so failures
    surface in the UI instead of vanishing into the loop's default handler.
    """

    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._named: dict[str, asyncio.Task[object]] = {}
        self._on_error = on_error
        self._closing = False

    def spawn(
        self, coro: Coroutine[Any, Any, T], name: str | None = None  # Any: the send/yield types
    ) -> asyncio.Task[T]:
        """Schedule ``coro``; if ``name`` is given, cancel the running task of that name first.

        After :meth:`cancel_all` (the window is closing) the task is cancelled at once: its
        body never runs, so it never reaches an executor that is shutting down.
        """
        if name is not None and (previous := self._named.get(name)) is not None:
            previous.cancel()
        task = asyncio.get_event_loop().create_task(coro, name=name)
        if self._closing:
            task.cancel()
        self._tasks.add(task)
        if name is not None:
            self._named[name] = task
        task.add_done_callback(partial(self._finished, name))
        return task

    def cancel(self, name: str) -> None:
        """Cancel the running task named ``name``, if any."""
        if (task := self._named.get(name)) is not None:
            task.cancel()

    def running(self, name: str) -> bool:
        """True while the task named ``name`` has not finished."""
        task = self._named.get(name)
        return task is not None and not task.done()

    def cancel_all(self) -> None:
        """Cancel every task still running, and every one spawned from now on (window
        closing: a timer or a queued event may still spawn one)."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()

    def _finished(self, name: str | None, task: asyncio.Task[object]) -> None:
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
