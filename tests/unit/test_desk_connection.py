"""The desk's connection lifecycle (ui/connection.py) on a plain asyncio loop, real threads.

A backend opened after the window closed is shut down exactly once and never handed over; a
completed connection belongs to the caller; a database error reaches the caller.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from app.errors import KnownError
from ui.connection import DeskConnection
from ui.db_executor import ServiceExecutor


class FakeBackend:
    """Counts shut-downs (the only thing the lifecycle may do to a backend)."""

    def __init__(self) -> None:
        self.shut_downs = 0

    def shut_down(self) -> None:
        self.shut_downs += 1


@pytest.fixture
def executor() -> Iterator[ServiceExecutor]:
    pool = ServiceExecutor(max_workers=2)
    yield pool
    pool.shutdown()


def test_a_completed_connection_is_handed_over(executor: ServiceExecutor) -> None:
    backend = FakeBackend()
    seen: list[tuple[str, FakeBackend]] = []

    async def on_open(url: str, opened: FakeBackend) -> None:
        seen.append((url, opened))

    async def scenario() -> bool:
        connection = DeskConnection(executor, lambda: ("postgresql://db", backend))
        done = await connection.connect(on_open)
        assert not connection.connecting and not connection.cancel()
        await connection.released()  # nothing parked: the caller owns the backend
        return done

    assert asyncio.run(scenario()) is True
    assert seen == [("postgresql://db", backend)]
    assert backend.shut_downs == 0


def test_closing_while_opening_shuts_the_late_backend_down_once(
        executor: ServiceExecutor) -> None:
    backend = FakeBackend()
    opening, may_finish = threading.Event(), threading.Event()
    handed_over: list[FakeBackend] = []

    def slow_open() -> tuple[str, FakeBackend]:
        opening.set()
        may_finish.wait(10)
        return "postgresql://db", backend

    async def on_open(_url: str, opened: FakeBackend) -> None:
        handed_over.append(opened)

    async def scenario() -> bool:
        connection = DeskConnection(executor, slow_open)
        connecting = asyncio.create_task(connection.connect(on_open))
        await asyncio.to_thread(opening.wait, 10)
        assert connection.connecting
        assert connection.cancel() is True
        may_finish.set()  # the thread finishes opening after the window closed
        result = await connecting  # returns quietly: the caller is not cancelled
        await connection.released()
        await asyncio.to_thread(executor.shutdown)  # the thread's own shut-down has run
        assert connection.task is not None and connection.task.cancelled()
        return result

    assert asyncio.run(scenario()) is False
    assert handed_over == []
    assert backend.shut_downs == 1


def test_a_database_error_reaches_the_caller(executor: ServiceExecutor) -> None:
    def unreachable() -> tuple[str, FakeBackend]:
        raise KnownError("cannot connect to the database: refused")

    async def on_open(_url: str, _opened: FakeBackend) -> None:
        raise AssertionError("never opened")

    async def scenario() -> None:
        await DeskConnection(executor, unreachable).connect(on_open)

    with pytest.raises(KnownError, match="refused"):
        asyncio.run(scenario())
