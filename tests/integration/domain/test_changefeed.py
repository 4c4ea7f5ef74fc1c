"""The change feed: NOTIFY from the trigger reaches the listener thread fast; gaps resync."""

from __future__ import annotations

import queue as stdlib_queue
import time

import psycopg
import pytest
from sqlalchemy import text

from app.changefeed import ChangeFeed, ChangeFeedStatus, QueueResync, TransferChanged
from app.events import EventBus


@pytest.fixture
def feed(database_url):
    bus = EventBus()
    events: stdlib_queue.Queue[object] = stdlib_queue.Queue()
    bus.subscribe(events.put)
    change_feed = ChangeFeed(database_url, bus, resync_interval=3600, max_backoff=0.5)
    change_feed.start()
    assert change_feed.wait_connected(10)
    yield change_feed, events
    change_feed.stop()


def next_of(events, kind, timeout=5.0):
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=left)
        except stdlib_queue.Empty:
            break
        if isinstance(event, kind):
            return event
    raise AssertionError(f"no {kind.__name__} within {timeout} s")


def test_a_change_reaches_the_listener_as_it_happens(feed, make_transfer, staff):
    """Each change arrives as its own TransferChanged (NOTIFY; a missed one would only come
    back as a QueueResync from the periodic poll). Its latency is printed, not asserted."""
    _, events = feed
    next_of(events, QueueResync)  # the initial "connected" resync
    t = make_transfer()
    created = next_of(events, TransferChanged)
    assert created == TransferChanged(t.row.id, "awaiting_notice", 1)
    sent = time.monotonic()
    staff.mark_notice_received(t.row.id, accept_url=None, transfer_ref="z", accept_by=None)
    changed = next_of(events, TransferChanged, timeout=30.0)
    latency = time.monotonic() - sent
    assert changed == TransferChanged(t.row.id, "notice_received", 2)
    print(f"change feed latency: {latency * 1000:.1f} ms")


def test_bulk_statement_sends_one_resync(feed, engine):
    _, events = feed
    next_of(events, QueueResync)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO transfers (order_ref, event_name)"
                          " SELECT 'BULK-' || g, 'e' FROM generate_series(1, 500) g"))
    resync = next_of(events, QueueResync)
    assert "500" in resync.reason


def test_reconnects_after_the_connection_is_killed(feed, database_url, make_transfer):
    change_feed, events = feed
    next_of(events, QueueResync)
    with psycopg.connect(database_url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%' AND datname = current_database()").fetchone()[0]
    assert killed == 1
    assert next_of(events, ChangeFeedStatus).connected is False
    assert next_of(events, ChangeFeedStatus, timeout=10).connected is True
    assert next_of(events, QueueResync).reason == "connected"  # covers what was missed
    t = make_transfer()
    assert next_of(events, TransferChanged).id == t.row.id


def test_periodic_resync(database_url):
    bus = EventBus()
    events: stdlib_queue.Queue[object] = stdlib_queue.Queue()
    bus.subscribe(events.put, QueueResync)
    change_feed = ChangeFeed(database_url, bus, resync_interval=0.3)
    change_feed.start()
    try:
        assert next_of(events, QueueResync).reason == "connected"
        assert next_of(events, QueueResync, timeout=3).reason == "periodic"
    finally:
        change_feed.stop()
    assert not change_feed.connected
