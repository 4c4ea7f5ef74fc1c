"""Outcomes out: one event per decision and escrow result, in the change's own transaction."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.domain.states import Role
from app.evidence import Upload
from app.outcomes.feed import OutcomeFeed
from tests.integration.marketplace.conftest import PNG


def types(feed, after=0):
    return [(e.type, e.order_ref) for e in feed.after(after)]


def test_decisions_and_escrow_results_each_write_exactly_one_event(engine, staff, bot_claims,
                                                                     make_transfer):
    feed = OutcomeFeed(engine, role=Role.STAFF)
    verified = make_transfer(notice=True)
    claim = bot_claims.claim("w", verified.row.id)
    bot_claims.record_outcome(claim.run_id, "w", "accepted")
    rejected = make_transfer()
    staff.manual_reject(rejected.row.id, rejected.row.version, "wrong seats",
                        uploads=[Upload("shot.png", PNG, "upload")])
    review = make_transfer(notice=True)
    claim = bot_claims.claim("w", review.row.id)
    bot_claims.record_outcome(claim.run_id, "w", "wrong_tickets")
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_bot"))
        conn.execute(text("UPDATE transfers SET escrow_status = 'captured' WHERE id = :i"),
                     {"i": verified.row.id})
        conn.execute(text("UPDATE transfers SET attempts = attempts WHERE id = :i"),
                     {"i": verified.row.id})  # no change of status: no event
    assert types(feed) == [("verified", verified.row.order_ref),
                           ("rejected", rejected.row.order_ref),
                           ("needs_review", review.row.order_ref),
                           ("captured", verified.row.order_ref)]
    events = feed.after(0)
    assert events[0].method == "auto" and events[0].actor == "transferdesk_bot"
    assert events[1].actor == "transferdesk_staff"
    assert events[1].detail["reason"] == "wrong seats" and len(events[1].evidence_ids) == 1
    assert events[2].detail["last_outcome"] == "wrong_tickets"
    assert feed.after(events[1].id) == events[2:]


def test_expiry_writes_one_event_per_transfer(engine, staff, make_transfer):
    from datetime import UTC, datetime, timedelta

    lapsed = [make_transfer(accept_by=datetime.now(UTC) + timedelta(seconds=1)) for _ in range(3)]
    staff.expire_overdue(datetime.now(UTC) + timedelta(minutes=1))
    staff.expire_overdue(datetime.now(UTC) + timedelta(minutes=2))
    feed = OutcomeFeed(engine)
    assert sorted(e.transfer_id for e in feed.after(0) if e.type == "expired") == sorted(
        t.row.id for t in lapsed)


def test_a_rolled_back_change_leaves_no_event_and_events_are_append_only(engine, make_transfer):
    transfer = make_transfer()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                     {"i": transfer.row.id})
        raise RuntimeError("crash before commit")
    assert OutcomeFeed(engine).after(0) == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                     {"i": transfer.row.id})
    for sql in ("UPDATE outcome_events SET type = 'verified'", "DELETE FROM outcome_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))


def test_each_event_is_notified_with_its_id(engine, database_url, make_transfer):
    transfer = make_transfer()
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as listener:
        listener.execute("LISTEN outcome_events")
        with engine.begin() as conn:
            conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                         {"i": transfer.row.id})
        got = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    assert got == [str(OutcomeFeed(engine).after(0)[0].id)]


def test_actor_name_comes_from_the_session_setting(engine, make_transfer):
    transfer = make_transfer()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_staff"))
        conn.execute(text("SELECT set_config('transferdesk.actor_name', 'Dana (desk 3)', true)"))
        conn.execute(text("UPDATE transfers SET status = 'rejected' WHERE id = :i"),
                     {"i": transfer.row.id})
    (event,) = OutcomeFeed(engine).after(0)
    assert (event.actor, event.actor_name) == ("transferdesk_staff", "Dana (desk 3)")


def test_event_ids_follow_commit_order_so_a_cursor_never_skips(engine, make_transfer):
    first, second = make_transfer(), make_transfer()
    feed = OutcomeFeed(engine)
    slow = engine.connect()
    slow_tx = slow.begin()
    slow.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                 {"i": first.row.id})  # changed first, committed last
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"),
                     {"i": second.row.id})
    seen = feed.after(0)
    assert [e.transfer_id for e in seen] == [second.row.id]
    slow_tx.commit()
    slow.close()
    later = feed.after(seen[-1].id)
    assert [e.transfer_id for e in later] == [first.row.id]
