"""Notices matched to transfers in the real database; ties, low scores and template drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, text

from app.domain.states import Status
from app.events import EventBus
from app.evidence import EvidenceStore
from app.mail.events import NoticeMatched, NoticeUnmatched, TemplateDriftAlarm
from app.mail.ingest import MailIngest
from app.services.ops import AlarmService
from tests.integration.mail.conftest import mail_rows, transfer
from tests.unit import mail_samples as samples


def _collect(bus: EventBus) -> list[object]:
    events: list[object] = []
    bus.subscribe(events.append)
    return events


def test_matched_notice_moves_transfer_and_keeps_the_email(
    engine: Engine, ingest: MailIngest, bus: EventBus, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer()
    other = expect_transfer(seller_name="Someone Else", seller_email="else@example.com",
                            event_name="Ducks vs. Huskies", seats=("1", "2"))
    events = _collect(bus)
    raw = samples.notice()
    result = ingest.ingest(raw, "box")
    assert result.status == "matched" and result.transfer_ids == (wanted,)
    row = transfer(engine, wanted)
    assert row["status"] == Status.NOTICE_RECEIVED.value
    assert row["accept_url"] == "https://goducks.evenue.net/transfer/accept?id=TR-88231&t=abc"
    assert row["transfer_ref"] == "TR-88231"
    assert row["accept_by"] == datetime(2026, 12, 2, 7, 59, tzinfo=UTC)
    assert transfer(engine, other)["status"] == Status.AWAITING_NOTICE.value
    (mail,) = mail_rows(engine)
    assert (mail["match_status"], mail["transfer_id"]) == ("matched", wanted)
    assert mail["match_score"] >= 60
    info, content = EvidenceStore(engine).read(mail["evidence_id"])
    assert (info.kind, info.transfer_id, content) == ("email", wanted, raw)
    assert [type(e) for e in events] == [NoticeMatched]
    with engine.connect() as conn:
        audit = conn.execute(text(
            "SELECT action, to_status FROM audit_log WHERE transfer_id = :id ORDER BY id"
        ), {"id": wanted}).all()
    assert audit[-1] == ("notice_matched", "notice_received")


def test_same_notice_again_changes_nothing(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer()
    assert ingest.ingest(samples.notice(), "box").status == "matched"
    version = transfer(engine, wanted)["version"]
    again = ingest.ingest(samples.notice(), "box")
    assert again.duplicate and transfer(engine, wanted)["version"] == version


def test_tie_goes_to_staff_never_guessed(
    engine: Engine, ingest: MailIngest, bus: EventBus, expect_transfer: Callable[..., int]
) -> None:
    first, second = expect_transfer(), expect_transfer()  # two identical expectations
    events = _collect(bus)
    result = ingest.ingest(samples.notice(), "box")
    assert result.status == "ambiguous" and result.transfer_ids == ()
    assert {transfer(engine, i)["status"] for i in (first, second)} == {"awaiting_notice"}
    (mail,) = mail_rows(engine)
    assert mail["match_status"] == "ambiguous" and mail["transfer_id"] is None
    (event,) = events
    assert isinstance(event, NoticeUnmatched)
    assert set(event.candidate_ids) == {first, second}


def test_weak_resemblance_stays_unmatched(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    # Same event, but another seller and other seats: below the threshold.
    lookalike = expect_transfer(seller_name="Other Person", seller_email="other@example.com",
                                seats=("20", "21"), row="9")
    assert ingest.ingest(samples.notice(), "box").status == "unmatched"
    assert transfer(engine, lookalike)["status"] == "awaiting_notice"


def test_notice_for_another_account_is_not_matched(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    expect_transfer()
    result = ingest.ingest(samples.notice(to="someone.else@marketplace.example"), "box")
    assert result.status == "unmatched"


def test_multi_event_notice_moves_each_transfer(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    common = {"seller_name": "Pat Kim", "seller_email": "pat@example.com", "venue": "Arena"}
    opener = expect_transfer(event_name="Hoops Opener", section="101", row="C", seats=("1", "2"),
                             event_starts_at=datetime(2026, 12, 3, 0, tzinfo=UTC), **common)
    rivalry = expect_transfer(event_name="Hoops Rivalry Game", section="102", row="D",
                              seats=("3", "4"), event_starts_at=None, **common)
    result = ingest.ingest(samples.multi_event(), "box")
    assert result.status == "matched" and set(result.transfer_ids) == {opener, rivalry}
    assert {transfer(engine, i)["status"] for i in (opener, rivalry)} == {"notice_received"}


def test_template_drift_raises_a_counted_alarm(
    engine: Engine, ingest: MailIngest, bus: EventBus
) -> None:
    events = _collect(bus)
    ingest.ingest(samples.drifted("d1@evenue.net"), "box")
    ingest.ingest(samples.drifted("d2@evenue.net"), "box")
    ingest.ingest(samples.unrelated(), "box")  # ordinary mail: no alarm
    alarms = [a for a in AlarmService(engine).list_open() if a.kind == "template_drift"]
    assert len(alarms) == 1 and alarms[0].count == 2
    assert "seats" in alarms[0].message
    drift = [e for e in events if isinstance(e, TemplateDriftAlarm)]
    assert [e.count for e in drift] == [1, 2]
    assert drift[0].missing == ("seats", "accept_url")
    statuses = [r["match_status"] for r in mail_rows(engine)]
    assert statuses == ["unmatched", "unmatched", "ignored"]


def test_text_postgres_refuses_is_cleaned_not_lost(engine: Engine, ingest: MailIngest) -> None:
    raw = (b"From: noreply@paciolan.com\r\nSubject: a\x00b \xed\xa0\x80\r\n"
           b"Message-ID: <nul@x>\r\n\r\nEvent: Big\x00Game\r\n")
    result = ingest.ingest(raw, "box")
    assert result.mail_message_id is not None
    (row,) = mail_rows(engine)
    assert row["subject"].startswith("ab") and "\x00" not in str(row["parsed"])


def test_staff_link_an_unmatched_notice_by_hand(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    from app.services.mail_review import MailReviewService

    first, second = expect_transfer(), expect_transfer()
    raw = samples.notice()
    assert ingest.ingest(raw, "box").status == "ambiguous"
    review = MailReviewService(engine, "Dana")
    (notice,) = review.unmatched()
    linked = review.link(notice.id, second)
    assert linked.row.status == "notice_received" and linked.transfer_ref == "TR-88231"
    assert transfer(engine, first)["status"] == "awaiting_notice"
    assert review.unmatched() == []
    (mail,) = mail_rows(engine)
    assert (mail["match_status"], mail["transfer_id"]) == ("matched", second)
    info, content = EvidenceStore(engine).read(mail["evidence_id"])
    assert (info.transfer_id, content) == (second, raw)


def test_accept_link_off_the_portal_is_dropped(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer(seller_name="Sam Lee", seller_email="sam@example.com",
                             seats=("9", "10"), quantity=2)
    # A seller's forward is plain text anyone can write: its link is not trusted blindly.
    raw = samples.forwarded_inline().replace(
        b"https://goducks.evenue.net/transfer/accept", b"https://evil.example/transfer/accept")
    result = ingest.ingest(raw, "box")
    assert result.status == "matched" and result.parsed.accept_url is not None
    row = transfer(engine, wanted)
    assert row["status"] == "notice_received" and row["accept_url"] is None
    assert row["transfer_ref"] == "TR-90001"


def test_a_notice_from_an_unknown_sender_goes_to_staff_unread(
    engine: Engine, ingest: MailIngest
) -> None:
    """A school's own domain (or a look-alike): never read or followed, but kept for review
    with its email, so staff can teach the domain or discard it."""
    result = ingest.ingest(samples.lookalike(), "box")
    assert result.status == "unmatched" and not result.transfer_ids
    [row] = mail_rows(engine)
    assert row["kind"] == "unrecognized" and row["evidence_id"] is not None
    ingest.ingest(samples.unrelated(), "box")  # ordinary mail stays ignored
    assert [r["match_status"] for r in mail_rows(engine)] == ["unmatched", "ignored"]
