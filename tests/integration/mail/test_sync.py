"""Catch-up sync against real Dovecot: first, incremental, UIDVALIDITY change, odd messages."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text

from app.mail.sync import MailboxSync, SyncOptions
from tests.fixtures.dovecot import TestMailbox
from tests.integration.mail.conftest import FAST, mail_rows
from tests.unit import mail_samples as samples


def test_first_sync_then_incremental(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    for i in range(3):
        mailbox.append(samples.unrelated(message_id=f"m{i}@example.com"))
    sync = make_sync()
    first = sync.sync_once()
    assert (first.fetched, first.new, first.duplicates, first.resynced) == (3, 3, 0, False)
    assert sync.sync_once().fetched == 0  # nothing new: nothing fetched
    uid = mailbox.append(samples.unrelated(message_id="m3@example.com"))
    second = sync.sync_once()
    assert (second.fetched, second.new, second.last_uid) == (1, 1, uid)
    rows = mail_rows(engine)
    assert [r["uid"] for r in rows] == [1, 2, 3, uid]
    assert {r["match_status"] for r in rows} == {"ignored"}
    with engine.connect() as conn:
        state = conn.execute(text("SELECT uidvalidity, last_uid FROM mail_sync_state")).one()
    assert state == (first.uidvalidity, uid)


def test_position_survives_a_new_sync_object(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    mailbox.append(samples.unrelated(message_id="a@example.com"))
    make_sync().sync_once()
    mailbox.append(samples.unrelated(message_id="b@example.com"))
    report = make_sync().sync_once()  # e.g. after a restart
    assert (report.fetched, report.new) == (1, 1)
    assert len(mail_rows(engine)) == 2


def test_uidvalidity_change_resyncs_without_duplicates(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    folder = "Transfers"
    for i in range(2):
        mailbox.append(samples.unrelated(message_id=f"old{i}@example.com"), folder=folder)
    sync = make_sync(folder=folder)
    before = sync.sync_once()
    client = mailbox.connect()
    try:
        client.delete_folder(folder)
        client.create_folder(folder)
    finally:
        client.logout()
    for i in range(2):  # the same two messages come back with new UIDs, plus a new one
        mailbox.append(samples.unrelated(message_id=f"old{i}@example.com"), folder=folder)
    mailbox.append(samples.unrelated(message_id="new@example.com"), folder=folder)
    after = sync.sync_once()
    assert after.resynced and after.uidvalidity != before.uidvalidity
    assert (after.fetched, after.new, after.duplicates) == (3, 1, 2)
    keys = [r["message_key"] for r in mail_rows(engine)]
    assert sorted(keys) == sorted(["<old0@example.com>", "<old1@example.com>",
                                   "<new@example.com>"])


def test_duplicate_delivery_is_recorded_once(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    mailbox.append(samples.unrelated(message_id="dup@example.com"))
    mailbox.append(samples.unrelated(message_id="dup@example.com"))
    report = make_sync().sync_once()
    assert (report.fetched, report.new, report.duplicates) == (2, 1, 1)
    assert len(mail_rows(engine)) == 1


def test_message_without_message_id_gets_a_stable_key(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    raw = samples.unrelated(message_id=None)  # type: ignore[arg-type]
    mailbox.append(raw)
    mailbox.append(raw)  # delivered twice: same derived key
    report = make_sync().sync_once()
    assert (report.new, report.duplicates) == (1, 1)
    (row,) = mail_rows(engine)
    assert row["message_key"].startswith("sha256:")


def test_oversized_and_malformed_are_kept_for_review(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    huge = samples.notice(message_id="huge@evenue.net") + b"x" * (300 * 1024)
    mailbox.append(huge)
    mailbox.append(b"From: noreply@paciolan.com\r\nSubject: \xff\xfe broken\r\n"
                   b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\x00garbage")
    report = make_sync().sync_once()
    assert report.new == 2
    rows = {r["subject"][:6]: r for r in mail_rows(engine)}
    oversized = next(r for r in rows.values() if r["message_key"] == "<huge@evenue.net>")
    assert oversized["match_status"] == "oversized" and oversized["size"] >= 300 * 1024
    assert "too large" in oversized["parse_error"]
    other = next(r for r in rows.values() if r is not oversized)
    assert other["match_status"] in ("ignored", "malformed", "unmatched")
    assert other["kind"] == "unrecognized"


def test_processed_notices_are_moved(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync],
    expect_transfer: Callable[..., int],
) -> None:
    expect_transfer()
    mailbox.append(samples.notice())
    mailbox.append(samples.unrelated())
    options = SyncOptions(**{**FAST.__dict__, "processed_folder": "Processed"})
    make_sync(options=options).sync_once()
    client = mailbox.connect()
    try:
        inbox = client.select_folder("INBOX", readonly=True)[b"EXISTS"]
        moved = client.select_folder("Processed", readonly=True)[b"EXISTS"]
    finally:
        client.logout()
    assert (inbox, moved) == (1, 1)


def test_mixed_batch_keeps_unmatched_notices_for_review(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    mailbox.append(samples.unrelated())
    mailbox.append(samples.notice())  # no transfer expected: unmatched, kept for staff
    mailbox.append(samples.verification_code())
    assert make_sync().sync_once().new == 3
    rows = {r["kind"]: r for r in mail_rows(engine)}
    assert rows["transfer_notice"]["match_status"] == "unmatched"
    assert rows["transfer_notice"]["evidence_id"] is not None
    assert rows["unrecognized"]["evidence_id"] is None
    assert rows["verification_code"]["match_status"] == "ignored"


def test_two_syncs_of_one_mailbox_record_each_message_once(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine
) -> None:
    import threading

    client = mailbox.connect()
    try:
        for i in range(120):
            client.append("INBOX", samples.unrelated(message_id=f"both-{i}@example.com"))
    finally:
        client.logout()
    options = SyncOptions(**{**FAST.__dict__, "fetch_batch": 25})
    syncs = [make_sync(options=options), make_sync(options=options)]  # desktop + worker
    reports = []
    threads = [threading.Thread(target=lambda s=s: reports.append(s.sync_once())) for s in syncs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2
    assert sum(r.new for r in reports) == 120
    assert len(mail_rows(engine)) == 120
