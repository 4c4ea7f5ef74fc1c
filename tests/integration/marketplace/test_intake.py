"""Orders in: one domain service answers every row applied / duplicate / updated / rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.integration.marketplace.conftest import SOON, inbox_row, order


def count(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_inbox_row_is_applied_once_with_audit(engine, intake, post_inbox):
    row = post_inbox(order_ref="M-1", event_name="Game", seats=["1", "2"], quantity=2,
                     amount_minor=12550, currency="USD", payment_intent_id="pi_abc",
                     event_starts_at=SOON)
    answers = intake.apply_inbox()
    assert [a.status for a in answers] == ["applied"]
    got = inbox_row(engine, row)
    assert got.status == "applied" and got.transfer_id == answers[0].transfer_id
    assert got.processed_at is not None
    with engine.connect() as conn:
        t = conn.execute(text("SELECT * FROM transfers WHERE order_ref = 'M-1'")).one()
        audit = conn.execute(text("SELECT action, detail FROM audit_log WHERE transfer_id = :i"),
                             {"i": t.id}).all()
    assert t.amount == 12550 and t.currency == "usd" and t.escrow_status == "held"
    assert [a.action for a in audit] == ["create"] and audit[0].detail["inbox_id"] == row
    assert intake.apply_inbox() == []


def test_same_facts_are_a_duplicate_and_changed_facts_an_audited_update(engine, intake,
                                                                         post_inbox):
    post_inbox(order_ref="M-2", event_name="Game", seats=["1", "2"])
    dup = post_inbox(order_ref="M-2", event_name="Game", seats=["1", "2"])
    upd = post_inbox(order_ref="M-2", event_name="Game", seats=["1", "2", "3"], section="112")
    answers = intake.drain_inbox()
    assert answers == 3
    assert inbox_row(engine, dup).status == "duplicate"
    updated = inbox_row(engine, upd)
    assert updated.status == "updated" and "quantity" in updated.reason
    with engine.connect() as conn:
        t = conn.execute(text("SELECT seats, quantity, section FROM transfers")).one()
        changed = conn.execute(text("SELECT detail FROM audit_log WHERE action = "
                                    "'order_updated'")).scalar_one()
    assert t.seats == ["1", "2", "3"] and t.quantity == 3 and t.section == "112"
    assert changed["changed"]["section"] == ["", "112"]
    assert count(engine, "SELECT count(*) FROM transfers") == 1


@pytest.mark.parametrize(("fields", "reason"), [
    ({"platform": "ticketmonster"}, "unknown platform 'ticketmonster'"),
    ({"account_id": 999}, "portal account 999 does not exist"),
    ({"seats": ["1", "2"], "quantity": 3}, "quantity 3 does not match 2 seat(s)"),
    ({"event_starts_at": datetime.now(UTC) - timedelta(hours=1)}, "is in the past"),
    ({"currency": "xyz"}, "currency 'xyz' is not one Stripe supports"),
    ({"seats": [str(n) for n in range(10_000)]}, "10000 seats: at most 200 per order"),
    ({"payload_version": 7}, "payload_version 7 is not supported"),
    ({"site_url": "https://nowhere.example"}, "no portal account for site_url"),
])
def test_bad_rows_are_rejected_with_a_reason_and_the_rest_applied(engine, intake, post_inbox,
                                                                  fields, reason):
    bad = post_inbox(**{"order_ref": "BAD", "event_name": "Game", **fields})
    good = post_inbox(order_ref="GOOD", event_name="Game")
    intake.drain_inbox()
    answer = inbox_row(engine, bad)
    assert answer.status == "rejected" and reason in answer.reason
    assert inbox_row(engine, good).status == "applied"
    assert count(engine, "SELECT count(*) FROM transfers WHERE order_ref = 'BAD'") == 0


def test_a_payment_intent_linked_to_another_order_is_rejected(engine, intake, post_inbox):
    post_inbox(order_ref="P-1", event_name="Game", payment_intent_id="pi_same")
    second = post_inbox(order_ref="P-2", event_name="Game", payment_intent_id="pi_same")
    intake.drain_inbox()
    assert inbox_row(engine, second).reason == ("payment_intent_id pi_same is already linked "
                                                "to order P-1")


def test_cancel_rejects_the_open_transfer_with_the_reason_and_audit(engine, intake, post_inbox):
    post_inbox(order_ref="C-1", event_name="Game", payment_intent_id="pi_c1")
    cancel = post_inbox(order_ref="C-1", kind="cancel", cancel_reason="buyer refunded")
    again = post_inbox(order_ref="C-1", kind="cancel")
    nothing = post_inbox(order_ref="C-404", kind="cancel")
    intake.drain_inbox()
    assert inbox_row(engine, cancel).status == "applied"
    assert inbox_row(engine, again).status == "duplicate"
    assert "nothing to cancel" in inbox_row(engine, nothing).reason
    with engine.connect() as conn:
        t = conn.execute(text("SELECT status, decision_note, escrow_status FROM transfers")).one()
        audit = conn.execute(text("SELECT detail FROM audit_log WHERE action = "
                                  "'order_cancelled'")).scalar_one()
    assert (t.status, t.decision_note, t.escrow_status) == ("rejected", "buyer refunded", "held")
    assert audit["reason"] == "buyer refunded"


def test_intake_role_inserts_and_reads_only_its_answer(engine, post_inbox, intake):
    row = post_inbox(order_ref="R-1", event_name="Game")
    intake.drain_inbox()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
        status = conn.execute(text("SELECT status FROM order_inbox WHERE id = :i"),
                              {"i": row}).scalar_one()
        assert status == "applied"
        conn.execute(text("SELECT count(*) FROM outcome_events")).scalar_one()
    for sql in ("UPDATE order_inbox SET status = 'pending'",
                "INSERT INTO order_inbox (order_ref, status) VALUES ('x', 'applied')",
                "SELECT count(*) FROM transfers",
                "DELETE FROM order_inbox"):
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
            conn.execute(text(sql))


def test_dry_run_answers_every_row_and_writes_nothing(engine, intake):
    rows = [(2, order("D-1")), (3, order("D-2", currency="zzz")), (4, "not valid UTF-8")]
    answers = intake.import_rows(rows, dry_run=True)
    assert [a.status for a in answers] == ["applied", "rejected", "rejected"]
    assert count(engine, "SELECT count(*) FROM transfers") == 0
    assert [a.status for a in intake.import_rows(rows)] == ["applied", "rejected", "rejected"]
    assert count(engine, "SELECT count(*) FROM transfers") == 1


def test_two_entrances_racing_on_one_new_order_create_it_once(engine, intake):
    import threading

    barrier = threading.Barrier(2)
    answers = []

    def run():
        barrier.wait()
        answers.extend(intake.import_rows([(2, order("RACE-1"))]))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status for a in answers) == ["applied", "duplicate"]
    assert count(engine, "SELECT count(*) FROM transfers") == 1
