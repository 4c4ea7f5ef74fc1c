"""A small periodic runner for the deadline sweep (the worker, the escrow loop, the desk).

It runs ``sweep()`` on its own daemon thread at once and then every ``interval`` seconds until
:meth:`DeadlineRunner.stop`; a failing sweep (database unreachable) is logged and tried again
at the next tick, never raised into the host process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, load_settings
from app.domain.states import Role
from app.services.base import Service
from app.services.deadlines import DeadlineService, SweepReport

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


def start_sweeper(bind: Engine | sessionmaker[Session], settings: Settings, actor_name: str,
                  role: Role | str | None = None) -> DeadlineRunner:
    """A started runner sweeping every ``settings.deadlines.sweep_interval`` seconds (worker and
    escrow processor); stop it with :meth:`DeadlineRunner.stop`."""
    service = DeadlineService(bind, actor_name, role, settings.deadlines.warn_before,
                              sweeper_id=actor_name)
    return DeadlineRunner(service.sweep, settings.deadlines.sweep_interval).start()


@contextmanager
def deadline_sweeps(service: Service, every: float | None) -> Iterator[Callable[[], object]]:
    """Deadline sweeps for ``transferdesk escrow process``, on ``service``'s database.

    Yields the function the loop calls before each pass: with ``every`` (a long-running
    processor) a background runner sweeps on its own cadence and the function does nothing;
    for a single pass it sweeps once, so what lapsed is expired and then cancelled at once.
    """
    settings = load_settings()
    # Same package as Service: share the processor's pool and role instead of a second engine.
    deadlines = DeadlineService(service._sessions, service.actor_name, service.role,
                                settings.deadlines.warn_before)
    runner = DeadlineRunner(deadlines.sweep, settings.deadlines.sweep_interval)
    if every is None:
        yield runner.run_once
        return
    runner.start()
    try:
        yield lambda: None
    finally:
        runner.stop()
