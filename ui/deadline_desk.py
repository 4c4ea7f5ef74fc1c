"""The desk's part in deadlines: sweep when no server process does, show new warnings.

A desk sweeps (through the db executor, on the alarms timer) only while no worker or escrow
processor has swept within :data:`app.desk.service_backend.UNATTENDED_AFTER` seconds; see
:meth:`app.services.deadlines.DeadlineService.sweep_if_unattended`. New ``deadline_warning``
alarms in the banner's list are published once each as
:class:`~app.services.deadlines.DeadlineWarningAlarm`, which the tray turns into a message.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.records import AlarmInfo
from app.events import EventBus
from app.services.deadlines import ALARM_KIND, DeadlineWarningAlarm


class DeadlineNotices:
    """Publishes each new deadline warning once (per desk) on the core event bus."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._seen: set[int] = set()

    def note(self, alarms: Sequence[AlarmInfo]) -> list[int]:
        """Publish the deadline warnings not seen before; their alarm ids."""
        new = [a for a in alarms if a.kind == ALARM_KIND and a.id not in self._seen]
        for alarm in new:
            self._seen.add(alarm.id)
            self._bus.publish(DeadlineWarningAlarm(alarm.id, alarm.message))
        return [a.id for a in new]
