"""What the real-window driver processes share: the entry point (run one coroutine on a Qt event
loop, qasync, and print its JSON result on one line) and a wait that names what it waited for."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


def print_result(drive: Callable[[list[str]], Coroutine[Any, Any, dict[str, Any]]]) -> None:
    """Run ``drive(sys.argv[1:])`` inside the Qt loop and print what it returns as JSON."""
    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        print(json.dumps(loop.run_until_complete(drive(sys.argv[1:])), default=str))


async def until(predicate: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Spin the loop until ``predicate()`` holds; past ``timeout`` s exit naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
