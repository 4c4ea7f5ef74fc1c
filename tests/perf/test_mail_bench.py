"""Mail ingest benchmarks: parse+match rate, initial sync of a big mailbox, IDLE latency.

Sizes scale with ``TRANSFERDESK_PERF_SCALE`` (tests.perf.report.scale). Assertions check
correctness only (every notice matched to the right transfer, nothing missed or doubled).
"""

from __future__ import annotations

import os
import pwd
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from app.domain.records import NewTransfer
from app.events import EventBus
from app.mail.events import NoticeMatched
from app.mail.ingest import MailIngest
from app.mail.matching import Candidate, NoticeFacts
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


ACCOUNTS = ("box-office@marketplace.example", samples.ACCOUNT, "desk2@marketplace.example")
SELLERS = 40  # a few brokers sell most tickets: many open transfers per seller
VENUE_EVENTS = 12  # and many per event


def _pool_transfer(i: int) -> dict[str, object]:
    """Open transfer ``i`` of a realistic pool: accounts, sellers and events repeat; the
    section / row / seats and the game day tell the transfers apart."""
    return {
        "order_ref": f"POOL-{i}", "account": ACCOUNTS[i % len(ACCOUNTS)],
        "event_name": f"{EVENTS[i % len(EVENTS)]} ({i // len(EVENTS) % VENUE_EVENTS + 1})",
        "event_starts_at": datetime(2026, 12, 1 + i // len(EVENTS) % VENUE_EVENTS, 19, 30,
                                    tzinfo=UTC),
        "seller_name": f"Broker {i % SELLERS}", "seller_email": f"broker{i % SELLERS}@example.com",
        "section": str(100 + i % 37), "row": str(1 + (i // 37) % 29),
        "seats": (str(2 * (i // 1073) + 1), str(2 * (i // 1073) + 2)),
    }


def _pool_notice(i: int, values: dict[str, object]) -> bytes:
    seats = values["seats"]
    assert isinstance(seats, tuple)
    starts = values["event_starts_at"]
    assert isinstance(starts, datetime)
    return samples.notice(
        message_id=f"pool-{i}@evenue.net", to=str(values["account"]),
        seller=str(values["seller_name"]), seller_email=str(values["seller_email"]),
        event=str(values["event_name"]), starts=starts.strftime("%B %d, %Y at %I:%M %p UTC"),
        section=str(values["section"]), row=str(values["row"]),
        seats=f"Seats {seats[0]}-{seats[1]}", quantity=2, ref=f"TRP-{i:06d}",
    )


def _create_pool(engine: Engine, count: int) -> list[int]:
    service = TransferService(engine, "bench")
    accounts = {name: service.add_account("paciolan", "https://goducks.evenue.net", name).id
                for name in ACCOUNTS}
    rows = [_pool_transfer(i) for i in range(count)]
    new = [NewTransfer(
        order_ref=str(r["order_ref"]), event_name=str(r["event_name"]),
        account_id=accounts[str(r["account"])], seller_name=str(r["seller_name"]),
        seller_email=str(r["seller_email"]), section=str(r["section"]), row=str(r["row"]),
        seats=r["seats"], quantity=2, event_starts_at=r["event_starts_at"],  # type: ignore[arg-type]
    ) for r in rows]
    return [service.create(t).row.id for t in new]


def test_parse_and_match_rate(engine: Engine) -> None:
    """Parse + the real candidate query (PostgreSQL) + scoring, over a realistic pool."""
    from app.mail.matching import decide_all

    pool_size = max(300, int(3_000 * scale()))
    count = max(200, int(2_000 * scale()))
    ids = _create_pool(engine, pool_size)
    picks = [(i * 7919) % pool_size for i in range(count)]  # notices for spread-out transfers
    messages = [_pool_notice(p, _pool_transfer(p)) for p in picks]
    with engine.connect() as conn:
        per_seller = conn.scalar(text(
            "SELECT max(n) FROM (SELECT count(*) n FROM transfers GROUP BY seller_email) s"))
        per_event = conn.scalar(text(
            "SELECT max(n) FROM (SELECT count(*) n FROM transfers GROUP BY event_name) s"))
        per_account = conn.scalar(text(
            "SELECT max(n) FROM (SELECT count(*) n FROM transfers GROUP BY account_id) s"))
    ingest = MailIngest(engine)
    correct = pool_total = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    batch = 100  # as a sync hands messages to MailIngest.ingest_batch: one transaction each
    for first in range(0, count, batch):
        parsed_batch = [parse_message(raw) for raw in messages[first:first + batch]]
        with ingest.transaction() as session:
            pools = MailIngest.candidate_pools(session, parsed_batch)  # ingest's own query
        for pick, parsed, pool in zip(picks[first:first + batch], parsed_batch, pools,
                                      strict=True):
            pool_total += len(pool)
            facts = [NoticeFacts(
                recipients=parsed.to_addrs, event_name=e.event_name,
                event_starts_at=e.event_starts_at, section=e.section, row=e.row, seats=e.seats,
                seller_name=parsed.sender_name, seller_email=parsed.sender_email,
            ) for e in parsed.events]
            (decision,) = decide_all(facts, pool)
            correct += decision.transfer_id == ids[pick]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = count / elapsed
    report("mail_parse_match", {
        "messages": count, "open_transfers": pool_size, "max_per_seller": per_seller,
        "max_per_event": per_event, "max_per_account": per_account,
        "mean_candidates": round(pool_total / count, 1), "seconds": round(elapsed, 2),
        "messages_per_second": round(rate), "goal_messages_per_second": 500,
        "client_cpu_messages_per_second": round(count / cpu), "load_average": os.getloadavg()[0],
        "correct": correct,
    })
    assert correct == count


def test_parse_rate_of_varied_layouts() -> None:
    """The extractor alone over every sample layout (tables, bare labels, forwards...)."""
    from tests.unit import test_mail_extract as layouts

    corpus = [samples.notice(), samples.html_only_qp(), samples.multipart_base64(),
              samples.forwarded_inline(), samples.multi_event()]
    corpus += [samples.build("Ticket transfer", text=f"{p}\nEvent: X vs. Y\nSeats: 3-4\n"
                             "https://x.evenue.net/accept?a=1\n")
               for p in ("Taylor Brooks sent you 2 tickets.", "Transferred by: Taylor Brooks")]
    assert layouts.SCHOOL  # the layouts module is importable (same corpus style)
    count = max(500, int(5_000 * scale()))
    started = time.perf_counter()
    for i in range(count):
        parse_message(corpus[i % len(corpus)])
    elapsed = time.perf_counter() - started
    report("mail_parse_varied", {"messages": count, "seconds": round(elapsed, 2),
                                 "messages_per_second": round(count / elapsed)})


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


