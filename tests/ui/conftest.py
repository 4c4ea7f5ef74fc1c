"""Fixtures for the desktop tests: a qasync loop over pytest-qt's QApplication, real services.

UI coroutines run inside ``loop.run_until_complete`` (the Qt event loop spins meanwhile), so
background tasks, timers and queued signals all make progress exactly as in the app.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QSettings
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from app.domain.records import NewTransfer
from app.services.transfers import TransferService


@pytest.fixture(autouse=True, scope="session")
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window layout goes to a private directory, never the user's real settings."""
    QCoreApplication.setOrganizationName("TransferDesk-tests")
    QCoreApplication.setApplicationName("TransferDesk-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))


@pytest.fixture
def qloop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """A qasync event loop on pytest-qt's QApplication, installed as the asyncio loop."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop: qasync.QEventLoop) -> Callable[..., Any]:
    """``run(coro)`` runs a coroutine to completion with the Qt loop spinning."""

    def _run(coro: Any, timeout: float = 30.0) -> Any:
        return qloop.run_until_complete(asyncio.wait_for(coro, timeout))

    return _run


@pytest.fixture
def until(run: Callable[..., Any]) -> Callable[..., None]:
    """``until(predicate)`` spins the loop until it is true (fails after ``timeout`` s)."""

    def _until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        async def wait() -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"condition not met within {timeout} s: {predicate}")
                await asyncio.sleep(0.01)

        run(wait(), timeout=timeout + 5)

    return _until


@pytest.fixture
def backend(engine: Engine) -> ServiceBackend:
    """The desktop's real backend on the test database."""
    return ServiceBackend(engine, actor_name="Test Desk")


def seed_transfers(engine: Engine, count: int, account_id: int | None = None,
                   prefix: str = "ORD", overdue_first: bool = False) -> list[int]:
    """Create ``count`` transfers with staggered deadlines; returns their ids.

    Accept-by comes before the event start and nothing is overdue, unless ``overdue_first``:
    then the first one's accept window lapsed 2 h ago (a lapse no sweeper has expired yet).
    """
    service = TransferService(engine, "seed")
    now = datetime.now(UTC)
    ids = []
    for i in range(count):
        full = service.create(NewTransfer(
            order_ref=f"{prefix}-{i:04d}", event_name=f"Game {i % 7}",
            account_id=account_id, seller_name=f"Seller {i}", seller_email=f"s{i}@example.com",
            venue="Stadium", event_starts_at=now + timedelta(days=3 + i),
            section=str(100 + i % 30), row=str(1 + i % 20), seats=(str(i % 12 + 1),),
            accept_by=now + timedelta(hours=-2 if overdue_first and i == 0 else i * 3 + 1),
            amount=10_000 + i, currency="usd",
        ))
        ids.append(full.row.id)
    return ids


@pytest.fixture
def account_id(engine: Engine) -> int:
    """One portal account."""
    info = TransferService(engine, "seed").add_account(
        "paciolan", "http://127.0.0.1:9/", "desk@example.com", "Main account")
    return info.id


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform plugin warns about a window-manager hint it lacks; not our bug."""
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def _collect_widgets_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's Qt objects here, not later on whatever thread triggers the GC
    (Qt refuses to stop a widget's timers from another thread)."""
    yield
    import gc

    gc.collect()
