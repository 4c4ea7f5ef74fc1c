"""Closing the window in order without freezing it: GUI steps first, then the slow part on a
thread.

Stopping the browser thread (up to 60 s while sessions are saved), the change feed and the
heartbeat, marking the desk stopped in the database and disposing of the engine are all
blocking. :class:`BackgroundShutdown` runs them in order on a plain (non-daemon) thread while
the window is already hidden, then calls ``done`` back on the GUI thread (a queued signal), where
the window closes for real (and the application quits when it was the last window).
:func:`close_in_order` is the whole order: the GUI-thread steps (stop timers, abort the batch,
cancel tasks, stop the bridge, hide), then the background closers.
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


def close_in_order(gui_steps: Sequence[Callable[[], object]],
                   closers: Sequence[Callable[[], object]],
                   done: Callable[[], object]) -> BackgroundShutdown:
    """Run ``gui_steps`` now (on the GUI thread, quick), then ``closers`` on a thread.

    Args:
        gui_steps: called in order; a failing one is logged and the rest still run.
        closers: the blocking part (browser, change feed, database), in order.
        done: called on the GUI thread when every closer has run.

    Returns:
        The started shutdown (its ``finished`` event is set at the end).
    """
    for step in gui_steps:
        try:
            step()
        except Exception:  # a half-built window must still close
            log.exception("closing step %s failed", getattr(step, "__qualname__", step))
    shutdown = BackgroundShutdown(closers, done)
    shutdown.start()
    return shutdown
