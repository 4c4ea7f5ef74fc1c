"""EventBus delivers by type, isolates failing handlers, and unsubscribes."""

import threading
from dataclasses import dataclass

from app.events import EventBus


@dataclass(frozen=True)
class Ping:
    n: int


@dataclass(frozen=True)
class Pong:
    n: int


def test_typed_delivery_and_unsubscribe():
    bus = EventBus()
    pings: list[Ping] = []
    everything: list[object] = []
    stop = bus.subscribe(pings.append, Ping)
    bus.subscribe(everything.append)
    bus.publish(Ping(1))
    bus.publish(Pong(2))
    stop()
    bus.publish(Ping(3))
    assert pings == [Ping(1)]
    assert everything == [Ping(1), Pong(2), Ping(3)]


def test_failing_handler_does_not_stop_others(caplog):
    bus = EventBus()
    got: list[object] = []

    def broken(_event: object) -> None:
        raise RuntimeError("boom")

    bus.subscribe(broken)
    bus.subscribe(got.append)
    bus.publish(Ping(1))
    assert got == [Ping(1)]
    assert "boom" in caplog.text


def test_publish_from_threads():
    bus = EventBus()
    got: list[object] = []
    lock = threading.Lock()

    def collect(event: object) -> None:
        with lock:
            got.append(event)

    bus.subscribe(collect)
    threads = [threading.Thread(target=bus.publish, args=(Ping(i),)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e.n for e in got) == list(range(20))
