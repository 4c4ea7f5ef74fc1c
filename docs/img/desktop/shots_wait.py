"""Waits shared by the screenshot drivers: a condition, or the queue's next loaded page.

A wait that runs out raises (a screenshot of the wrong state is worse than none).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ui.queue_view import QueueWidget


async def until(predicate: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise RuntimeError(f"screenshots: timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def reloaded(queue: QueueWidget, change: Callable[[], object],
                   timeout: float = 60.0) -> None:
    """Make ``change`` (one that reloads the queue) and wait for its first page
    (:attr:`QueueWidget.loaded`, connected before the change so it cannot be missed)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def loaded(_seconds: float) -> None:
        if not done.done():
            done.set_result(None)

    queue.loaded.connect(loaded)
    try:
        change()
        await asyncio.wait_for(done, timeout)
    finally:
        queue.loaded.disconnect(loaded)
