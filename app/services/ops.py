"""Operations: worker registration and heartbeats, alarms."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import Engine, func, text
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import WORKER_KINDS
from app.domain.errors import NotFoundError, UnknownValueError
from app.domain.records import AlarmInfo, WorkerInfo
from app.domain.states import Role
from app.repositories import mapping, records
from app.services.base import Service, make_sessionmaker

#: The roles a desktop may act as, most capable first (a supervisor is also staff).
DESK_ROLES: tuple[Role, ...] = (Role.SUPERVISOR, Role.STAFF)


def desk_role(bind: Engine | sessionmaker[Session]) -> Role | None:
    """The role a desktop's services act as: the first of :data:`DESK_ROLES` the login is in.

    A superuser (the embedded cluster's owner) or a login in neither role keeps its own
    privileges: None.
    """
    with make_sessionmaker(bind)() as session:
        superuser = session.scalar(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user"))
        if superuser:
            return None
        for role in DESK_ROLES:
            member = session.scalar(text("SELECT pg_has_role(session_user, :role, 'MEMBER')"),
                                    {"role": role.value})
            if member:
                return role
    return None


class WorkerService(Service):
    """Desktops and headless workers announce themselves and beat."""

    def register(self, worker_id: str, kind: str, label: str = "") -> WorkerInfo:
        """Register (or re-register) this process as ``worker_id``.

        Raises:
            UnknownValueError: ``kind`` is not desktop or worker.
        """
        if kind not in WORKER_KINDS:
            raise UnknownValueError("worker kind", kind, WORKER_KINDS)
        values = {"id": worker_id, "host": socket.gethostname(), "pid": os.getpid(),
                  "kind": kind, "label": label}
        with self.transaction() as session:
            return mapping.worker_info(records.upsert_worker(session, values))

    def beat(self, worker_id: str, current_transfer_id: int | None = None) -> None:
        """Record that the worker is alive (and what it is working on).

        Raises:
            NotFoundError: the worker never registered.
        """
        with self.transaction() as session:
            row = records.update_worker(session, worker_id, {
                "last_beat_at": func.now(), "current_transfer_id": current_transfer_id})
            if row is None:
                raise NotFoundError("worker", worker_id)

    def stop(self, worker_id: str) -> None:
        """Mark the worker stopped (it leaves the list)."""
        with self.transaction() as session:
            records.update_worker(session, worker_id, {"stopped_at": func.now(),
                                                       "current_transfer_id": None})

    def list_running(self) -> list[WorkerInfo]:
        """Running workers."""
        with self.transaction() as session:
            return [mapping.worker_info(w) for w in records.workers(session)]

    def list_stale(self, older_than_seconds: float = 90.0) -> list[WorkerInfo]:
        """Running workers that have not beaten for ``older_than_seconds``."""
        with self.transaction() as session:
            stale = records.workers(session, timedelta(seconds=older_than_seconds))
            return [mapping.worker_info(w) for w in stale]


class AlarmService(Service):
    """Raise, list and resolve alarms; the same open (kind, key) counts up."""

    def raise_alarm(self, kind: str, key: str, message: str) -> AlarmInfo:
        """Open an alarm or count up the open one with this kind and key."""
        with self.transaction() as session:
            return mapping.alarm_info(records.raise_alarm(session, kind, key, message))

    def list_open(self) -> list[AlarmInfo]:
        """Unresolved alarms, most recent first."""
        with self.transaction() as session:
            return [mapping.alarm_info(a) for a in records.open_alarms(session)]

    def resolve(self, alarm_id: int) -> AlarmInfo:
        """Mark an alarm resolved by this actor.

        Raises:
            NotFoundError: no such alarm.
        """
        with self.transaction() as session:
            row = records.resolve_alarm(session, alarm_id, self.actor_name)
            if row is None:
                raise NotFoundError("alarm", alarm_id)
            return mapping.alarm_info(row)
