"""The desk's periodic upkeep: the alarms banner, the desk heartbeat and the deadline sweep.

Owns the 30 s timer and the three calls it makes through the db executor, plus the banner's
"resume site" action. Backends without a heartbeat or a sweep (tests' fakes) skip those.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QStatusBar

from app.desk.api import DeskBackend
from app.errors import KnownError
from app.services.deadlines import SweepReport
from ui.alarms_banner import AlarmsBanner
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.deadline_desk import DeadlineNotices

log = logging.getLogger(__name__)
ALARM_POLL_MS = 30_000


@runtime_checkable
class BeatingBackend(Protocol):
    """A backend with a workers row of its own."""

    def beat(self) -> None:
        """Renew this desk's workers row (blocking)."""


@runtime_checkable
class SweepingBackend(Protocol):
    """A backend that can sweep deadlines when no server process does."""

    def sweep_deadlines(self) -> SweepReport:
        """Sweep if unattended (blocking; ``skipped`` when another process swept lately)."""


class DeskUpkeep(QObject):
    """Polls alarms, beats and sweeps every :data:`ALARM_POLL_MS` ms.

    Args:
        backend: the desk's services.
        executor / tasks: where blocking calls and their coroutines run.
        banner: shows the open alarms (and asks to resume a paused site).
        notices: publishes new deadline warnings once (the tray shows them).
        status: the window's status bar.
        show_error: how an unexpected error is shown.
    """

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 banner: AlarmsBanner, notices: DeadlineNotices, status: QStatusBar,
                 show_error: Callable[[BaseException], None]) -> None:
        super().__init__(banner)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._banner, self._notices, self._status = banner, notices, status
        self._show_error = show_error
        self.timer = QTimer(self, interval=ALARM_POLL_MS)
        self.timer.timeout.connect(self.refresh_alarms)
        self.timer.timeout.connect(self.heartbeat)  # same 30 s cadence
        self.timer.timeout.connect(self.sweep_deadlines)
        banner.resume_site.connect(self.resume_site)

    def start(self) -> None:
        """Load alarms and sweep now, then every period."""
        self.refresh_alarms()
        self.sweep_deadlines()
        self.timer.start()

    def stop(self) -> None:
        """No more polls (the window is closing)."""
        self.timer.stop()

    def refresh_alarms(self) -> None:
        """Reload open alarms into the banner."""
        backend = self._backend

        async def work() -> None:
            alarms = await self._executor.call(backend.alarms)
            self._banner.set_alarms(alarms)
            self._notices.note(alarms)  # the tray shows new deadline warnings

        self._tasks.spawn(work(), name="alarms")

    def resume_site(self, site_url: str) -> None:
        """A supervisor ends a blocked site's pause (the service checks the role)."""
        backend = self._backend

        async def work() -> None:
            try:
                await self._executor.call(backend.resume_site, site_url)
            except KnownError as exc:
                self._show_error(exc)
                return
            self._status.showMessage(f"Automation of {site_url} resumed", 8000)
            self.refresh_alarms()

        self._tasks.spawn(work(), name="resume-site")

    def heartbeat(self) -> None:
        """Beat this desk's workers row through the db executor."""
        backend = self._backend
        if not isinstance(backend, BeatingBackend):
            return

        async def work() -> None:
            try:
                await self._executor.call(backend.beat)
            except KnownError as exc:
                log.warning("desk heartbeat failed: %s", exc)

        self._tasks.spawn(work(), name="desk-heartbeat")

    def sweep_deadlines(self) -> None:
        """Sweep deadlines when no server process does (see ui/deadline_desk.py)."""
        backend = self._backend
        if not isinstance(backend, SweepingBackend):
            return

        async def work() -> None:
            try:
                report = await self._executor.call(backend.sweep_deadlines)
            except KnownError as exc:
                log.warning("deadline sweep failed: %s", exc)
                return
            if report.expired or report.warned:
                self.refresh_alarms()

        self._tasks.spawn(work(), name="deadline-sweep")
