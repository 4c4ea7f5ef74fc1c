"""Shared by the desktop benchmarks: a qasync loop, a spin helper and the 100k-row database."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import qasync

from automation.demo.transfers import insert_demo
from tests.perf.report import scale

DESK_ROWS = int(100_000 * scale())
"""Demo transfers in the desktop benchmarks' database (100k at scale 1)."""
SEARCH_TERMS = ("j", "jo", "joh", "john", "johns", "ohio", "ohio s", "101", "demo-00012")
"""What test_ui_bench.py types into the search box, in order (test_queue_bench.py times each
term's query alone)."""


@pytest.fixture(scope="session")
def desk_bench_url(pg_cluster: Any, migrated_template: str) -> Iterator[str]:
    """One database with DESK_ROWS demo transfers, shared by the desktop benchmarks."""
    name = f"td_desk_bench_{secrets.token_hex(3)}"
    admin = pg_cluster.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    url = pg_cluster.url(name)
    insert_demo(url, DESK_ROWS)
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def loop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """A qasync loop on pytest-qt's QApplication, installed as the asyncio loop."""
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()
    asyncio.set_event_loop(None)


def spin_until(loop: qasync.QEventLoop, predicate: Callable[[], Any],
               timeout: float = 60.0) -> None:
    """Spin the Qt loop until ``predicate()`` is true (fails after ``timeout`` s)."""

    async def wait() -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "benchmark condition not met"
            await asyncio.sleep(0.002)

    loop.run_until_complete(wait())
