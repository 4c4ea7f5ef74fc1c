"""A marketplace simulation against the whole sandbox chain (issue 16, "Done when").

The test plays the marketplace: orders go into ``order_inbox`` as ``transferdesk_intake`` (the
demo's live sender does that for orders the sandbox portal really transfers; the test adds
orders it then cancels), it reads ``outcome_events`` by cursor as the intake role, and runs a
webhook receiver that verifies every signature. The chain (mail IDLE, match, worker in
Chromium, escrow on localstripe) runs as in the demo. Every order must end in exactly one
terminal outcome on the feed and on the webhook.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from app.config import WebhookSettings, load_settings
from app.intake.inbox import answer, submit_order
from automation.demo.orchestrator import DemoOptions, DemoOrchestrator
from tests.integration.marketplace.receiver import Receiver

SECRET = "whsec_simulation"
TERMINAL = {"verified", "rejected", "expired"}
LIVE, CANCELLED = 3, 2


def read_feed(engine, last_seen):
    """The marketplace's cursor read (docs/integration.md)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
        return conn.execute(text("SELECT id, type, order_ref FROM outcome_events "
                                 "WHERE id > :last ORDER BY id LIMIT 500"),
                            {"last": last_seen}).all()


def test_every_order_ends_in_exactly_one_terminal_outcome_on_feed_and_webhook(
        tmp_path: Path, keyring_service: str) -> None:
    rx = Receiver(secret=SECRET)
    url = rx.start()
    settings = replace(load_settings(tmp_path / "none.toml",
                                     {"TRANSFERDESK_DATA_DIR": str(tmp_path / "data")}),
                       webhooks=(WebhookSettings("market", url),))
    demo = DemoOrchestrator(settings, DemoOptions(seed_count=0, interval=1.0, send_limit=LIVE,
                                                  auto=True, escrow_interval=0.5))
    demo.credentials.set("webhook:market", SECRET)
    feed: list[tuple[int, str, str]] = []
    try:
        demo.start()
        assert demo.engine is not None and demo.sender is not None
        withdrawn = []
        for n in range(CANCELLED):
            ref = f"SIM-CANCEL-{n}"
            row = submit_order(demo.engine, order_ref=ref, event_name="Aggies vs. LSU",
                               seats=["1"], event_starts_at=datetime.now(UTC) + timedelta(days=9),
                               account_id=demo.accounts[0].id)
            withdrawn.append(ref)
            submit_order(demo.engine, order_ref=ref, kind="cancel", cancel_reason="refunded")
            assert row > 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            last = feed[-1][0] if feed else 0
            feed += [tuple(r) for r in read_feed(demo.engine, last)]
            refs = {s.order_ref for s in demo.sender.sent} | set(withdrawn)
            decided = {ref for _, kind, ref in feed if kind in TERMINAL}
            captured = {ref for _, kind, ref in feed if kind == "captured"}
            webhook = {r.body["id"] for r in rx.received}
            if (len(demo.sender.sent) >= LIVE and refs <= decided
                    and {s.order_ref for s in demo.sender.sent} <= captured
                    and {f"evt_{i}" for i, _, _ in feed} <= webhook):
                break
            time.sleep(0.5)
        sent = {s.order_ref for s in demo.sender.sent}
        assert len(sent) == LIVE and not demo.sender.errors
        with demo.engine.connect() as conn:
            answers = conn.execute(text("SELECT kind, status FROM order_inbox")).all()
        assert Counter(map(tuple, answers)) == {("order", "applied"): LIVE + CANCELLED,
                                                ("cancel", "applied"): CANCELLED}
        assert answer(demo.engine, 1)[0] == "applied"  # readable by the marketplace role
    finally:
        demo.stop()
        demo.credentials.delete("webhook:market")
        rx.stop()
    terminal = Counter(ref for _, kind, ref in feed if kind in TERMINAL)
    assert terminal == Counter({ref: 1 for ref in sent | set(withdrawn)})
    kinds = {ref: kind for _, kind, ref in feed if kind in TERMINAL}
    assert {kinds[r] for r in sent} == {"verified"} and {kinds[r] for r in withdrawn} == {
        "rejected"}
    by_id = {r.body["id"]: r.body for r in rx.received}  # dedupe by event id
    assert set(by_id) == {f"evt_{i}" for i, _, _ in feed}
    hooked = Counter(b["data"]["order_ref"] for b in by_id.values()
                     if b["data"]["outcome"] in TERMINAL)
    assert hooked == terminal
    assert rx.bad_signatures == 0
