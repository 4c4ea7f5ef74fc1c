"""One transaction per ingested notice, and the follow-up kinds (reminder, confirmation,
cancellation) against the real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from app.mail import store
from app.mail.ingest import MailIngest
from app.services.ops import AlarmService
from tests.integration.mail.conftest import mail_rows, transfer
from tests.unit import mail_samples as samples


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_fault_between_the_steps_leaves_no_orphan(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wanted = expect_transfer()
    evidence_before = _count(engine, "evidence")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut between moving the transfer and finishing the message")

    monkeypatch.setattr(store, "finish_message", crash)
    with pytest.raises(RuntimeError):
        ingest.ingest(samples.notice(), "box")
    assert transfer(engine, wanted)["status"] == "awaiting_notice"
    assert _count(engine, "evidence") == evidence_before  # no orphan email
    with engine.connect() as conn:
        actions = conn.execute(text(
            "SELECT action FROM audit_log WHERE transfer_id = :id"), {"id": wanted}).scalars()
        assert "notice_matched" not in list(actions)
    (row,) = mail_rows(engine)
    assert row["match_status"] == "pending"  # the next sync takes the stale row over


def _follow_up(subject: str, body: str, message_id: str) -> bytes:
    return samples.build(subject, text=body, message_id=message_id)


def test_reminder_attaches_to_the_received_notice(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer()
    assert ingest.ingest(samples.notice(), "box").status == "matched"
    version = transfer(engine, wanted)["version"]
    reminder = _follow_up(
        "Reminder: your tickets are still waiting",
        "Reminder: Jane Doe sent you 4 tickets that have not been accepted yet.\n"
        "Event: Ducks vs. Beavers\nSection 12, Row 5, Seats 5-8\nTransfer ID: TR-88231\n"
        "https://goducks.evenue.net/transfer/accept?id=TR-88231&t=abc\n", "rem1@evenue.net")
    result = ingest.ingest(reminder, "box")
    assert result.parsed.kind == "transfer_reminder"
    assert result.status == "matched" and result.transfer_ids == (wanted,)
    assert transfer(engine, wanted)["version"] == version  # no second notice, no move
    rows = mail_rows(engine)
    assert [(r["kind"], r["transfer_id"]) for r in rows] == [
        ("transfer_notice", wanted), ("transfer_reminder", wanted)]
    with engine.connect() as conn:
        emails = conn.execute(text(
            "SELECT count(*) FROM evidence WHERE transfer_id = :id AND kind = 'email'"),
            {"id": wanted}).scalar_one()
    assert emails == 2


def test_cancellation_sends_the_transfer_to_review_with_the_email(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer()
    assert ingest.ingest(samples.notice(), "box").status == "matched"
    cancelled = _follow_up(
        "Ticket transfer cancelled",
        "Jane Doe has cancelled the transfer of 4 tickets for Ducks vs. Beavers.\n"
        "Transfer ID: TR-88231\n", "cancel1@evenue.net")
    result = ingest.ingest(cancelled, "box")
    assert result.parsed.kind == "transfer_cancelled" and result.transfer_ids == (wanted,)
    row = transfer(engine, wanted)
    assert row["status"] == "needs_review" and row["next_attempt_at"] is None
    with engine.connect() as conn:
        audit = conn.execute(text(
            "SELECT action, detail FROM audit_log WHERE transfer_id = :id ORDER BY id DESC "
            "LIMIT 1"), {"id": wanted}).one()
    evidence_id = mail_rows(engine)[-1]["evidence_id"]
    assert audit[0] == "notice_cancelled" and audit[1]["evidence_id"] == evidence_id
    assert evidence_id is not None


def test_confirmation_is_corroborating_evidence(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer()
    ingest.ingest(samples.notice(), "box")
    status = transfer(engine, wanted)["status"]
    accepted = _follow_up("Your tickets have been accepted",
                          "You have successfully accepted 4 tickets from Jane Doe.\n"
                          "Transfer ID: TR-88231\n", "acc1@evenue.net")
    result = ingest.ingest(accepted, "box")
    assert result.parsed.kind == "transfer_accepted" and result.transfer_ids == (wanted,)
    assert transfer(engine, wanted)["status"] == status
    assert mail_rows(engine)[-1]["evidence_id"] is not None


def test_follow_up_for_an_unknown_transfer_goes_to_staff(
    engine: Engine, ingest: MailIngest
) -> None:
    result = ingest.ingest(_follow_up("Ticket transfer cancelled",
                                      "The transfer of 2 tickets has been revoked.\n"
                                      "Transfer ID: TR-00000\n", "c2@evenue.net"), "box")
    assert result.status == "unmatched"


def test_low_confidence_notice_is_never_matched(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer(event_name="Spring Game", seats=("7", "8"), section="110", row="7",
                             seller_name="Alex Kim", seller_email="alex@example.com")
    raw = _follow_up("Spring Game - Ticket Transfer",
                     "Good news! Tickets are waiting for you.\nTransferred by: Alex Kim\n"
                     "Sec 110 / Row 7 / Seats 7 and 8\n"
                     "Claim them: https://goducks.evenue.net/claim?id=777\n", "low1@evenue.net")
    result = ingest.ingest(raw, "box")
    assert "event_name" in result.parsed.low_confidence
    assert result.status == "unmatched"
    assert transfer(engine, wanted)["status"] == "awaiting_notice"


def test_promotions_from_the_portal_raise_no_drift_alarm(
    engine: Engine, ingest: MailIngest
) -> None:
    for index, (subject, body) in enumerate((
        ("2027 Season Ticket Renewal", "Renew now: https://x.evenue.net/renew\n"),
        ("Game week newsletter", "Transfer tips: https://x.evenue.net/news/transfer-tips\n"),
    )):
        ingest.ingest(_follow_up(subject, body, f"promo{index}@evenue.net"), "box")
    assert [a for a in AlarmService(engine).list_open() if a.kind == "template_drift"] == []


def test_a_broker_with_hundreds_of_open_transfers_still_matches_the_right_one(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    for i in range(store.CANDIDATE_LIMIT * 4 + 10):  # the same seller and event, other seats
        expect_transfer(section=str(200 + i % 50), row=str(1 + i // 50), seats=("1", "2"))
    wanted = expect_transfer()  # the newest: section 12, row 5, seats 5-8
    result = ingest.ingest(samples.notice(), "box")
    assert result.status == "matched" and result.transfer_ids == (wanted,)


def test_mail_for_a_transfer_in_the_assisted_lane_is_attached_to_it(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    """Issue 18: a reminder or confirmation for a transfer a person works in the assisted lane
    (the site blocked automation: needs review, last outcome ``blocked``) lands on it as
    evidence and moves nothing."""
    wanted = expect_transfer()
    assert ingest.ingest(samples.notice(), "box").status == "matched"
    with engine.begin() as conn:  # what a blocked run leaves behind
        conn.execute(text("UPDATE transfers SET status = 'needs_review', last_outcome = 'blocked'"
                          " WHERE id = :id"), {"id": wanted})
    version = transfer(engine, wanted)["version"]
    for subject, body, key in (
        ("Reminder: your tickets are still waiting",
         "Reminder: Jane Doe sent you 4 tickets that have not been accepted yet.\n"
         "Event: Ducks vs. Beavers\nSection 12, Row 5, Seats 5-8\nTransfer ID: TR-88231\n"
         "https://goducks.evenue.net/transfer/accept?id=TR-88231&t=abc\n", "lane-rem@evenue.net"),
        ("Your tickets have been accepted",
         "You have successfully accepted 4 tickets from Jane Doe.\nTransfer ID: TR-88231\n",
         "lane-acc@evenue.net"),
    ):
        result = ingest.ingest(_follow_up(subject, body, key), "box")
        assert result.transfer_ids == (wanted,), result
    row = transfer(engine, wanted)
    assert row["status"] == "needs_review" and row["version"] == version
    with engine.connect() as conn:
        emails = conn.execute(text(
            "SELECT count(*) FROM evidence WHERE transfer_id = :id AND kind = 'email'"),
            {"id": wanted}).scalar_one()
    assert emails == 3  # the notice, the reminder and the confirmation
