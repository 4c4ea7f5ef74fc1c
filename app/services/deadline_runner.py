"""A small periodic runner for the deadline sweep (the worker, the escrow loop, the desk).

It runs ``sweep()`` on its own daemon thread at once and then every ``interval`` seconds until
:meth:`DeadlineRunner.stop`; a failing sweep (database unreachable) is logged and tried again
at the next tick, never raised into the host process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.services.deadlines import SweepReport

log = logging.getLogger(__name__)


class DeadlineRunner:
    """Call ``sweep`` every ``interval`` seconds on a background thread.

    Args:
        sweep: one sweep (e.g. :meth:`app.services.deadlines.DeadlineService.sweep`).
        interval: seconds between sweeps (settings.deadlines.sweep_interval).
        on_report: called with every report that did something (logging, waking a loop).
    """

    def __init__(self, sweep: Callable[[], SweepReport], interval: float,
                 on_report: Callable[[SweepReport], None] | None = None) -> None:
        self._sweep = sweep
        self.interval = interval
        self._on_report = on_report
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sweeps = 0

    def start(self) -> DeadlineRunner:
        """Start the thread (the first sweep runs at once); returns self."""
        self._thread = threading.Thread(target=self._loop, name="deadline-sweeper", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the sweep in progress, if any (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> SweepReport | None:
        """One sweep now, errors logged; the report (None when it failed)."""
        try:
            report = self._sweep()
        except Exception as exc:  # the database may be down: next tick
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            log.warning("deadline sweep failed (retrying in %.0f s): %s", self.interval, first)
            return None
        self.sweeps += 1
        if report.expired or report.warned:
            log.info("deadline sweep: %d expired, %d warning(s) raised",
                     len(report.expired), len(report.warned))
            if self._on_report is not None:
                self._on_report(report)
        return report

    def _loop(self) -> None:
        while True:
            self.run_once()
            if self._stop.wait(self.interval):
                return
