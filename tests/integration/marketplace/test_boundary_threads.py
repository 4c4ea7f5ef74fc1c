"""The worker's boundary threads: inbox rows applied on NOTIFY, outcomes posted by webhook."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import text

from app.boundary import start_boundary
from app.config import WebhookSettings, load_settings
from app.intake.applier import InboxApplier
from app.intake.service import IntakeService
from tests.integration.marketplace.conftest import inbox_row
from tests.integration.marketplace.receiver import Receiver


def wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_notify_wakes_the_applier_well_before_its_poll(engine, database_url, post_inbox):
    applier = InboxApplier(IntakeService(engine, "inbox"), database_url, poll_interval=60)
    import threading

    thread = threading.Thread(target=applier.run, daemon=True)
    thread.start()
    try:
        # the loop LISTENs before its first drain: once a first row is applied, it listens
        first = post_inbox(order_ref="N-0", event_name="Game")
        assert wait_for(lambda: inbox_row(engine, first).status == "applied", timeout=30)
        row = post_inbox(order_ref="N-1", event_name="Game")
        # only NOTIFY can apply it within 30 s: the next poll is 60 s away
        assert wait_for(lambda: inbox_row(engine, row).status == "applied", timeout=30)
    finally:
        applier.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_boundary_applies_orders_and_delivers_their_outcomes(engine, database_url, post_inbox,
                                                             credential_store, tmp_path):
    rx = Receiver(secret="whsec_b")
    url = rx.start()
    credential_store.set("webhook:market", "whsec_b")
    settings = replace(load_settings(tmp_path / "none.toml", {}),
                       webhooks=(WebhookSettings("market", url, ("expired",)),))
    stop = start_boundary(settings, database_url, credential_store, poll_interval=1.0)
    try:
        row = post_inbox(order_ref="B-1", event_name="Game")
        assert wait_for(lambda: inbox_row(engine, row).status == "applied")
        with engine.begin() as conn:
            conn.execute(text("UPDATE transfers SET status = 'expired' WHERE order_ref = 'B-1'"))
        assert wait_for(lambda: len(rx.received) == 1)
    finally:
        stop()
        rx.stop()
    assert rx.received[0].body["data"]["order_ref"] == "B-1" and rx.bad_signatures == 0
