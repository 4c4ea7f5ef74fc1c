"""Mail ingest benchmarks: parse+match rate, initial sync of a big mailbox, IDLE latency.

Sizes scale with ``TRANSFERDESK_PERF_SCALE`` (tests.perf.report.scale). Assertions check
correctness only (every notice matched to the right transfer, nothing missed or doubled).
"""

from __future__ import annotations

import os
import pwd
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from app.domain.records import NewTransfer
from app.events import EventBus
from app.mail.events import NoticeMatched
from app.mail.ingest import MailIngest
from app.mail.matching import Candidate, NoticeFacts, decide
from app.mail.parser import parse_message
from app.mail.sync import MailboxSync, SyncOptions
from app.services.transfers import TransferService
from automation.sandbox.mailbox import MAIL_ACCOUNT
from tests.fixtures.dovecot import TestMailbox
from tests.integration.mail.conftest import imap_connect
from tests.perf.report import percentile, report, scale
from tests.unit import mail_samples as samples

pytestmark = pytest.mark.perf
EVENTS = ("Ducks vs. Beavers", "Cougars at Sun Devils", "Hoops Opener", "Bruins vs. Trojans")


def _notice(i: int, to: str = samples.ACCOUNT) -> bytes:
    return samples.notice(
        message_id=f"bench-{i}@evenue.net", to=to, seller=f"Seller {i}",
        seller_email=f"seller{i}@example.com", event=EVENTS[i % len(EVENTS)],
        section=str(100 + i % 40), row=str(1 + i % 30),
        seats=f"Seats {2 * i % 20 + 1}-{2 * i % 20 + 2}", quantity=2, ref=f"TR-{i:06d}",
    )


def _candidate(i: int) -> Candidate:
    return Candidate(
        id=i, account_username=samples.ACCOUNT, event_name=EVENTS[i % len(EVENTS)],
        event_starts_at=datetime(2026, 11, 28, 19, 30), section=str(100 + i % 40),
        row=str(1 + i % 30), seats=(str(2 * i % 20 + 1), str(2 * i % 20 + 2)),
        seller_name=f"Seller {i}", seller_email=f"seller{i}@example.com",
    )


def test_parse_and_match_rate() -> None:
    count = int(10_000 * scale())
    messages = [_notice(i) for i in range(count)]
    by_seller: dict[str, list[Candidate]] = defaultdict(list)
    for i in range(count):  # the database's pre-filter, as an in-memory index
        candidate = _candidate(i)
        by_seller[candidate.seller_email].append(candidate)
    started = time.perf_counter()
    correct = 0
    for i, raw in enumerate(messages):
        parsed = parse_message(raw)
        facts = NoticeFacts(
            recipients=parsed.to_addrs, event_name=parsed.event_name,
            event_starts_at=parsed.event_starts_at, section=parsed.section, row=parsed.row,
            seats=parsed.seats, seller_name=parsed.sender_name, seller_email=parsed.sender_email,
        )
        decision = decide(facts, by_seller.get(parsed.sender_email or "", []))
        correct += decision.transfer_id == i
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    report("mail_parse_match", {
        "messages": count, "seconds": round(elapsed, 2), "messages_per_second": round(rate),
        "goal_messages_per_second": 500, "correct": correct,
    })
    assert correct == count


def _fill_maildir(mailbox: TestMailbox, messages: list[bytes]) -> None:
    """Write messages straight into the user's maildir ``new/`` (10k APPENDs would take long)."""
    client = mailbox.connect()
    try:
        client.select_folder("INBOX")  # creates the maildir, owned by the mail account
    finally:
        client.logout()
    maildir = mailbox.server.mail_dir / mailbox.username / "new"
    assert maildir.is_dir(), f"Dovecot did not create {maildir}"
    owner = pwd.getpwnam(MAIL_ACCOUNT) if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    stamp = int(time.time())
    for i, raw in enumerate(messages):
        path = maildir / f"{stamp}.M{i}P1.bench,S={len(raw)}"
        path.write_bytes(raw)
        os.chown(path, owner.pw_uid, owner.pw_gid)


def test_initial_sync_of_a_big_mailbox(mailbox: TestMailbox, engine: Engine) -> None:
    count = int(10_000 * scale())
    # A realistic inbox: mostly other mail, a share of notices (unmatched: no transfers here).
    messages = [_notice(i) if i % 4 == 0 else samples.unrelated(message_id=f"other-{i}@x.com")
                for i in range(count)]
    _fill_maildir(mailbox, messages)
    sync = MailboxSync(mailbox.username, imap_connect(mailbox, timeout=120), MailIngest(engine),
                       options=SyncOptions(fetch_batch=500))
    started = time.perf_counter()
    try:
        result = sync.sync_once()
    finally:
        sync.stop()
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM mail_messages"))
        kept = conn.scalar(text("SELECT count(*) FROM mail_messages WHERE evidence_id IS NOT NULL"))
    report("mail_initial_sync", {
        "messages": count, "seconds": round(elapsed, 2),
        "messages_per_second": round(count / elapsed), "stored": stored,
    })
    assert (result.fetched, result.new, stored) == (count, count, count)
    assert kept == len(range(0, count, 4))  # every unmatched notice keeps its .eml


def test_idle_latency_append_to_notice_received(
    mailbox: TestMailbox, engine: Engine
) -> None:
    count = max(5, int(50 * scale()))
    service = TransferService(engine, "bench")
    account = service.add_account("paciolan", "https://goducks.evenue.net", samples.ACCOUNT).id
    ids = []
    for i in range(count):
        c = _candidate(i)
        ids.append(service.create(NewTransfer(
            order_ref=f"BENCH-{i}", event_name=c.event_name, account_id=account,
            seller_name=c.seller_name, seller_email=c.seller_email, section=c.section, row=c.row,
            seats=c.seats, quantity=2,
            event_starts_at=datetime(2026, 11, 28, 19, 30, tzinfo=UTC),
        )).row.id)
    bus = EventBus()
    matched: dict[int, float] = {}
    arrived = threading.Condition()

    def on_matched(event: NoticeMatched) -> None:
        with arrived:
            matched[event.transfer_id] = time.perf_counter()
            arrived.notify_all()

    bus.subscribe(on_matched, NoticeMatched)  # published after the commit
    sync = MailboxSync(mailbox.username, imap_connect(mailbox), MailIngest(engine, bus), bus=bus)
    sync.start()
    latencies = []
    try:
        assert sync.wait_until_idle(30)
        for i, transfer_id in enumerate(ids):
            sent = time.perf_counter()
            mailbox.append(_notice(i))
            with arrived:
                assert arrived.wait_for(lambda t=transfer_id: t in matched, timeout=30)
            latencies.append(matched[transfer_id] - sent)
    finally:
        sync.stop()
    with engine.connect() as conn:
        received = conn.scalar(text(
            "SELECT count(*) FROM transfers WHERE status = 'notice_received'"))
    report("mail_idle_latency", {
        "messages": count, "p50_seconds": round(percentile(latencies, 50), 3),
        "p95_seconds": round(percentile(latencies, 95), 3),
        "max_seconds": round(max(latencies), 3), "goal_p95_seconds": 2.0,
    })
    assert received == count


