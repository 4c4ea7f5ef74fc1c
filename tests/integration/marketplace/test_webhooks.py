"""Webhooks: signed, deduplicable, in order per transfer, retried, dead-lettered, resent."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.config import WebhookSettings
from app.domain.states import Role
from app.errors import ConfigError
from app.webhooks.deliverer import Endpoint, WebhookDeliverer, resolve_endpoints
from app.webhooks.schedule import GIVE_UP_AFTER, MAX_DELAY, retry_delay
from app.webhooks.service import WebhookService
from app.webhooks.signing import sign, verify
from tests.integration.marketplace.receiver import Receiver

SECRET = "whsec_test_123"


@pytest.fixture
def receiver():
    rx = Receiver(secret=SECRET)
    rx.url = rx.start()
    yield rx
    rx.stop()


def deliverer(engine, url, fmt="json", events=(), secret=SECRET, timeout=2.0):
    hook = Endpoint("market", url, secret, frozenset(events or ("verified", "rejected",
                    "expired", "needs_review", "captured", "cancelled", "lapsed")), fmt, timeout)
    return WebhookDeliverer(engine, [hook], role=Role.BOT, rng=random.Random(1))


def expire(engine, transfer_id, status="expired"):
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = :s WHERE id = :i"),
                     {"s": status, "i": transfer_id})


def test_signature_round_trip_and_tampering():
    body = b'{"id":"evt_1"}'
    header = sign(SECRET, body, timestamp=1_700_000_000)
    assert verify(SECRET, header, body, now=1_700_000_100)
    assert not verify(SECRET, header, body + b" ", now=1_700_000_100)
    assert not verify("other", header, body, now=1_700_000_100)
    assert not verify(SECRET, header, body, now=1_700_000_000 + 301)  # replay window
    assert not verify(SECRET, "v1=abc", body)


def test_backoff_grows_with_jitter_and_caps():
    rng = random.Random(3)
    delays = [retry_delay(n, rng) for n in range(1, 30)]
    assert timedelta(seconds=5) <= delays[0] <= timedelta(seconds=10)
    assert delays[5] > delays[0] and max(delays) <= MAX_DELAY
    assert len({d.total_seconds() for d in delays[-5:]}) == 5  # jitter spreads retries
    total, attempt = timedelta(), 0
    while total < GIVE_UP_AFTER:
        attempt += 1
        total += retry_delay(attempt, random.Random(attempt))
    assert 15 <= attempt <= 40  # about three days of tries


def test_events_are_delivered_signed_once_with_a_stable_id(engine, make_transfer, receiver):
    transfer = make_transfer()
    expire(engine, transfer.row.id)
    hooks = deliverer(engine, receiver.url)
    try:
        stats = hooks.run_once()
        again = hooks.run_once()
    finally:
        hooks.close()
    assert (stats.queued, stats.delivered, again.queued, again.delivered) == (1, 1, 0, 0)
    (got,) = receiver.received
    assert got.event_id == got.body["id"] and got.body["type"] == "outcome.expired"
    assert got.body["data"]["order_ref"] == transfer.row.order_ref
    assert receiver.bad_signatures == 0


def test_failures_are_retried_later_then_dead_lettered_and_resent(engine, make_transfer,
                                                                  receiver):
    transfer = make_transfer()
    expire(engine, transfer.row.id)
    receiver.fail_rate = 1.0
    hooks = deliverer(engine, receiver.url)
    try:
        first = hooks.run_once()
        assert (first.delivered, first.failed) == (0, 1)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT attempts, next_attempt_at, status, last_error "
                                    "FROM webhook_deliveries")).one()
        assert row.attempts == 1 and row.status == "pending" and row.last_error == "HTTP 500"
        assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=4)
        assert hooks.run_once().failed == 0  # not due yet: nothing sent
        with engine.begin() as conn:  # three days later
            conn.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now(), "
                              "created_at = now() - interval '3 days'"))
        assert hooks.run_once().dead == 1
        service = WebhookService(engine, role=Role.STAFF)
        (dead,) = service.dead_letters()
        assert dead.what == "outcome.expired" and dead.order_ref == transfer.row.order_ref
        receiver.fail_rate = 0.0
        assert service.resend([dead.id]) == [dead.id]
        assert hooks.run_once().delivered == 1
    finally:
        hooks.close()
    assert service.dead_letters() == [] and len(receiver.received) == 1


def test_a_transfers_events_arrive_in_order_even_when_the_first_fails(engine, make_transfer,
                                                                       receiver):
    transfer = make_transfer()
    expire(engine, transfer.row.id)
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET escrow_status = 'cancelled' WHERE id = :i"),
                     {"i": transfer.row.id})
    receiver.fail_rate = 1.0
    hooks = deliverer(engine, receiver.url)
    try:
        assert hooks.run_once().failed == 1  # the second waits behind the first
        receiver.fail_rate = 0.0
        with engine.begin() as conn:
            conn.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now()"))
        hooks.run_once()
        hooks.run_once()
    finally:
        hooks.close()
    assert [r.body["type"] for r in receiver.received] == ["outcome.expired",
                                                           "outcome.cancelled"]


def test_a_send_killed_before_its_answer_is_sent_again_after_the_lease(engine, make_transfer,
                                                                       receiver):
    transfer = make_transfer()
    expire(engine, transfer.row.id)
    hooks = deliverer(engine, receiver.url)
    try:
        hooks.fan_out()
        with hooks.transaction() as session:  # claimed, then the process "dies"
            from app.webhooks import repository as repo
            assert len(repo.claim_due(session, 10, lease_seconds=60)) == 1
        assert hooks.run_once().delivered == 0  # leased: nobody else sends it
        with engine.begin() as conn:
            conn.execute(text("UPDATE webhook_deliveries SET lease_until = now() - "
                              "interval '1 second'"))
        assert hooks.run_once().delivered == 1
    finally:
        hooks.close()


def test_staff_alerts_post_slack_text_for_alarms_and_needs_review(engine, make_transfer,
                                                                  receiver):
    plain = Receiver()
    url = plain.start()
    transfer = make_transfer()
    expire(engine, transfer.row.id, "needs_review")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alarms (kind, key, message, first_at) VALUES "
                          "('deadline_warning', 'x', 'order A-1 accept-by in 4 h', "
                          "now() - interval '1 minute'), ('stale_worker', 'w', 'gone', "
                          "now() - interval '1 minute')"))
    hooks = deliverer(engine, url, fmt="slack", events=("needs_review", "deadline_warning"),
                      secret=None)
    try:
        assert hooks.run_once().delivered == 2
    finally:
        hooks.close()
        plain.stop()
    texts = sorted(r.body["text"] for r in plain.received)
    assert texts == ["TransferDesk deadline warning: order A-1 accept-by in 4 h",
                     f"TransferDesk: order {transfer.row.order_ref} is needs review"]


def test_config_needs_a_secret_for_json_and_knows_its_events(credential_store):
    with pytest.raises(ConfigError, match="no signing secret"):
        resolve_endpoints([WebhookSettings("m", "https://m.example/h")], credential_store)
    with pytest.raises(ConfigError, match="unknown event"):
        resolve_endpoints([WebhookSettings("m", "https://m.example/h", ("shipped",))],
                          credential_store)
    credential_store.set("webhook:m", SECRET)
    (hook,) = resolve_endpoints([WebhookSettings("m", "https://m.example/h")], credential_store)
    assert hook.secret == SECRET and "verified" in hook.events
    assert json.dumps(hook.events, default=list)
