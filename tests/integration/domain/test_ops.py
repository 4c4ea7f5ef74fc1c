"""Workers (registration, heartbeat, stale list) and alarms (raise counts up, resolve)."""

from __future__ import annotations

import time

import pytest

from app.domain.errors import NotFoundError, UnknownValueError
from app.domain.states import Role
from app.services.ops import AlarmService, WorkerService


def test_worker_lifecycle(engine, make_transfer):
    workers = WorkerService(engine, role=Role.BOT)
    info = workers.register("srv-1:worker-1", "worker", "rack 2")
    assert info.kind == "worker" and info.pid > 0 and info.stopped_at is None
    t = make_transfer()
    workers.beat("srv-1:worker-1", t.row.id)
    (listed,) = workers.list_running()
    assert listed.current_transfer_id == t.row.id and listed.last_beat_at >= info.last_beat_at
    time.sleep(0.2)
    assert [w.id for w in workers.list_stale(older_than_seconds=0.1)] == ["srv-1:worker-1"]
    assert workers.list_stale(older_than_seconds=60) == []
    workers.stop("srv-1:worker-1")
    assert workers.list_running() == []
    again = workers.register("srv-1:worker-1", "worker")
    assert again.stopped_at is None
    with pytest.raises(NotFoundError):
        workers.beat("ghost")
    with pytest.raises(UnknownValueError):
        workers.register("x", "robot")


def test_alarms_count_up_and_resolve(engine):
    alarms = AlarmService(engine, "Dana", role=Role.STAFF)
    first = alarms.raise_alarm("selector_drift", "paciolan:accept-button", "no selector matched")
    again = alarms.raise_alarm("selector_drift", "paciolan:accept-button", "still no match")
    other = alarms.raise_alarm("stale_worker", "srv-1", "silent for 5 min")
    assert again.id == first.id and again.count == 2 and again.message == "still no match"
    assert {a.id for a in alarms.list_open()} == {first.id, other.id}
    resolved = alarms.resolve(first.id)
    assert resolved.resolved_at is not None and resolved.resolved_by == "Dana"
    reopened = alarms.raise_alarm("selector_drift", "paciolan:accept-button", "back again")
    assert reopened.id != first.id and reopened.count == 1
    with pytest.raises(NotFoundError):
        alarms.resolve(99_999)


def test_alarm_text_never_holds_a_link_token(engine):
    alarms = AlarmService(engine, "tests")
    link = "https://tickets.example.edu/transfer/accept?id=TR-1&t=tok-secret-77"
    raised = alarms.raise_alarm("untrusted_link", "site", f"refused {link} (look-alike)")
    again = alarms.raise_alarm("untrusted_link", "site", f"refused {link} again")
    for alarm in (raised, again, *alarms.list_open()):
        assert "tok-secret-77" not in alarm.message and "TR-1" not in alarm.message
    assert again.message == "refused https://tickets.example.edu/transfer/accept?id=…&t=… again"
