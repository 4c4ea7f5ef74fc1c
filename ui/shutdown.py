"""Closing the window without freezing it: the slow part of shutting down runs on a thread.

Stopping the browser thread (up to 60 s while sessions are saved), the change feed and the
heartbeat, marking the desk stopped in the database and disposing of the engine are all
blocking. :class:`BackgroundShutdown` runs them in order on a plain (non-daemon) thread while
the window is already hidden, then calls ``done`` back on the GUI thread (a queued signal), where
the window closes for real (and the application quits when it was the last window).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


class BackgroundShutdown(QObject):
    """Runs blocking closers off the GUI thread, once.

    Args:
        closers: called in order; a failing one is logged and the rest still run.
        done: called on the GUI thread afterwards.
        parent: optional Qt parent (this object lives in the GUI thread).
    """

    _closed = Signal()

    def __init__(self, closers: Sequence[Callable[[], object]], done: Callable[[], object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closers = list(closers)
        self._closed.connect(done, Qt.ConnectionType.QueuedConnection)  # to the GUI thread
        self.finished = threading.Event()  # set when every closer has run
        self._thread = threading.Thread(target=self._run, name="desk-shutdown")

    def start(self) -> None:
        """Start the shutdown thread (returns at once)."""
        self._thread.start()

    def _run(self) -> None:
        for close in self._closers:
            try:
                close()
            except Exception as exc:  # the database may be gone: the rest must still run
                log.warning("closing %s failed: %s", getattr(close, "__qualname__", close), exc)
        self.finished.set()
        try:
            self._closed.emit()
        except RuntimeError:  # the window was deleted meanwhile: nothing left to close
            log.debug("the window went away before its shutdown finished")
