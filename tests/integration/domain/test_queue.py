"""The queue: filters, sorts, keyset windows that never skip or repeat, counts, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import UnknownValueError
from app.domain.records import QueueFilter
from app.domain.states import OPEN_STATUSES, Status, parse_status
from app.repositories.queue import ROW_SORT_VALUES, BadCursorError
from app.services.queue import SORT_KEYS, row_sort_key
from automation.demo.transfers import insert_demo

N = 600


@pytest.fixture
def demo(database_url):
    insert_demo(database_url, N, seed=3)


def walk(queue, flt, sort, descending=False, limit=70):
    rows, cursor = [], None
    while True:
        page = queue.list_page(flt, sort, descending, cursor, limit, with_counts=False)
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_windows_cover_everything_once_in_order(demo, queue, sort, descending):
    rows = walk(queue, QueueFilter(), sort, descending)
    assert len(rows) == N and len({r.id for r in rows}) == N
    if sort in ROW_SORT_VALUES:  # every sort but "created" (rows do not carry created_at)
        # the core's one sort key for live updates orders rows exactly as the SQL does
        assert rows == sorted(rows, key=lambda r: row_sort_key(r, sort), reverse=descending)


def test_filters_and_counts(demo, queue):
    everything = queue.list_page(QueueFilter(), limit=5)
    assert everything.total == N and sum(everything.status_counts.values()) == N
    assert all(everything.status_counts.values())  # demo data covers every state
    waiting = queue.list_page(
        QueueFilter(statuses=frozenset({Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW})))
    assert waiting.total == (everything.status_counts["notice_received"]
                             + everything.status_counts["needs_review"])
    assert {r.status.value for r in waiting.rows} <= {"notice_received", "needs_review"}
    assert waiting.status_counts == everything.status_counts  # chips ignore the status filter

    sample = everything.rows[0]
    by_seller = walk(queue, QueueFilter(seller=sample.seller_email.upper()), "due")
    assert sample.id in {r.id for r in by_seller}
    assert all(r.seller_email == sample.seller_email for r in by_seller)
    by_event = walk(queue, QueueFilter(event_name=sample.event_name), "due")
    assert by_event and all(r.event_name == sample.event_name for r in by_event)
    by_account = walk(queue, QueueFilter(account_id=sample.account_id), "due")
    assert by_account and all(r.account_id == sample.account_id for r in by_account)
    assert queue.list_page(QueueFilter(platform="ticketmaster")).total == 0

    window = sample.due_at + timedelta(seconds=1) - datetime.now(UTC)
    soon = walk(queue, QueueFilter(due_within=window), "due")
    latest = QueueFilter(due_within=window).due_before(datetime.now(UTC))
    assert sample.id in {r.id for r in soon}
    assert all(r.due_at is not None and r.due_at < latest for r in soon)
    open_rows = walk(queue, QueueFilter(statuses=OPEN_STATUSES), "due")
    assert all(r.status.value in {"awaiting_notice", "notice_received", "accepting",
                                  "needs_review"} for r in open_rows)


def test_free_text_search(demo, queue):
    hits = walk(queue, QueueFilter(text="Kyle FIELD"), "due")
    assert hits and all(r.venue == "Kyle Field" for r in hits)
    ref = walk(queue, QueueFilter(text="demo-0000042"), "due")
    assert [r.order_ref for r in ref] == ["DEMO-0000042"]
    assert queue.list_page(QueueFilter(text="100%_")).total == 0  # LIKE wildcards are literal


def test_bad_input_is_a_clear_error(queue):
    with pytest.raises(UnknownValueError, match="unknown status 'done'"):
        parse_status("done")  # what builds a filter's statuses from user input
    with pytest.raises(UnknownValueError, match="unknown sort 'price'"):
        queue.list_page(sort="price")
    with pytest.raises(BadCursorError):
        queue.list_page(cursor="not-a-cursor")


def test_cursor_from_another_sort_is_refused(demo, queue):
    page = queue.list_page(sort="due", limit=10)
    with pytest.raises(BadCursorError, match="another sort"):
        queue.list_page(sort="updated", cursor=page.next_cursor)


def test_detail_has_timeline(engine, make_transfer, bot_claims, queue, evidence):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("w")
    evidence.put("upload", "note.txt", b"portal said try later", transfer_id=t.row.id)
    bot_claims.record_outcome(claim.run_id, "w", "timeout")
    detail = queue.detail(t.row.id)
    assert [a.action for a in detail.audit] == ["create", "notice_matched", "claim", "run_retry"]
    assert [r.outcome for r in detail.runs] == ["timeout"]
    assert [e.filename for e in detail.evidence] == ["note.txt"]
    kinds = {item.kind for item in detail.timeline}
    assert kinds == {"audit", "run", "evidence"}
    assert [i.at for i in detail.timeline] == sorted(i.at for i in detail.timeline)
