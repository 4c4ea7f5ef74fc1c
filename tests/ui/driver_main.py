"""The entry point a real-window driver process shares: run one coroutine on a Qt event loop
(qasync) and print its JSON result on one line, for the test that started the process."""

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
