"""The queue's search over open transfers (migration 0013's partial index): the same rows in the
same order as a reference computed without any index, the plan that serves the desk's default
view, and the counts the desk asks for on their own (exact, or capped for a short term)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.domain.records import QueueFilter, TransferRow
from app.domain.states import OPEN_STATUSES, TERMINAL_STATUSES, Status
from app.repositories.queue import has_trigram, page_query, status_counts
from app.services.queue import QueueService, row_sort_key
from automation.demo.transfers import insert_demo

N = 900
#: Every kind of term: none, one letter (no trigram), a name, a section/digits, an order ref.
TERMS = ("", "j", "john", "101", "demo-00004", "clemson tigers")
STATUS_FILTERS = (
    OPEN_STATUSES,
    frozenset({Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW}),
    frozenset({Status.NEEDS_REVIEW}),
    frozenset(),  # any status
    frozenset({Status.VERIFIED, Status.EXPIRED}),
)


@pytest.fixture
def demo(database_url: str) -> dict[int, str]:
    """Demo rows (finished ones are due before open ones, as in real data); id -> search text."""
    insert_demo(database_url, N, seed=5)
    with psycopg.connect(database_url) as conn:
        return dict(conn.execute("SELECT id, search_text FROM transfers").fetchall())


def _walk(queue: QueueService, flt: QueueFilter, descending: bool) -> list[TransferRow]:
    rows: list[TransferRow] = []
    cursor = None
    while True:
        page = queue.list_page(flt, "due", descending, cursor, 41, with_counts=False)
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


@pytest.mark.parametrize("statuses", STATUS_FILTERS, ids=lambda s: "+".join(sorted(s)) or "any")
def test_every_term_and_status_filter_pages_like_the_reference(
    demo: dict[int, str], queue: QueueService, statuses: frozenset[Status]
) -> None:
    everything = _walk(queue, QueueFilter(), False)
    assert len(everything) == N
    for term in TERMS:
        expected = [r for r in everything
                    if (not statuses or r.status in statuses) and term in demo[r.id]]
        for descending in (False, True):
            want = sorted(expected, key=lambda r: row_sort_key(r, "due"), reverse=descending)
            got = _walk(queue, QueueFilter(statuses=statuses, text=term), descending)
            assert [r.id for r in got] == [r.id for r in want], (term, descending)
    # with a due cut-off too (a range on the index): every row due before it, in order
    window = timedelta(days=2)
    earliest = datetime.now(UTC) + window
    got = _walk(queue, QueueFilter(statuses=statuses, text="jo", due_within=window), False)
    latest = datetime.now(UTC) + window
    matching = [r for r in everything if (not statuses or r.status in statuses)
                and "jo" in demo[r.id] and r.due_at is not None]
    assert {r.id for r in matching if r.due_at < earliest} <= {r.id for r in got}
    assert all(r.due_at is not None and r.due_at < latest for r in got)
    assert got == sorted(got, key=lambda r: row_sort_key(r, "due"))


def _plan(database_url: str, flt: QueueFilter, descending: bool = False) -> str:
    sql = page_query(flt, "due", descending, None, 100).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"literal_binds": True})
    with psycopg.connect(database_url) as conn:
        conn.execute("SET enable_sort = off")  # an index that fits wins whatever the row count
        return "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}"))


def test_open_views_walk_only_open_transfers(demo: dict[int, str], database_url: str) -> None:
    """Before 0013 these walked ix_transfers_due through every finished transfer first."""
    for statuses in (OPEN_STATUSES, frozenset({Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW})):
        for term in ("", "john"):
            for descending in (False, True):
                plan = _plan(database_url, QueueFilter(statuses=statuses, text=term), descending)
                assert "ix_transfers_open_due" in plan, plan
    # a finished status cannot use it (the partial predicate does not hold)
    assert "ix_transfers_open_due" not in _plan(
        database_url, QueueFilter(statuses=frozenset({Status.VERIFIED})))


def test_the_index_holds_exactly_the_open_statuses(database_url: str) -> None:
    """Migration 0013 froze the open statuses: they must still be the domain's."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT indexdef FROM pg_indexes"
                           " WHERE indexname = 'ix_transfers_open_due'").fetchone()
    assert row is not None
    definition = row[0]
    assert all(f"'{s.value}'" in definition for s in OPEN_STATUSES)
    assert not any(f"'{s.value}'" in definition for s in TERMINAL_STATUSES)


def test_counts_alone_equal_the_pages_counts(demo: dict[int, str], queue: QueueService) -> None:
    for term in TERMS:  # fewer matches than the cap: exact, also for a one-letter term
        flt = QueueFilter(statuses=OPEN_STATUSES, text=term)
        counts = queue.counts(flt)
        page = queue.list_page(flt, limit=1)
        assert counts.exact and counts.total_exact
        assert counts.by_status == page.status_counts and counts.total == page.total
        assert set(counts.by_status) == set(Status)
        assert sum(counts.by_status.values()) == sum(term in text for text in demo.values())


def _reference(demo: dict[int, str], database_url: str, term: str) -> dict[Status, int]:
    """Rows per status whose search text holds ``term``, counted in Python."""
    with psycopg.connect(database_url) as conn:
        statuses = dict(conn.execute("SELECT id, status FROM transfers").fetchall())
    counted = dict.fromkeys(Status, 0)
    for row_id, text in demo.items():
        counted[Status(statuses[row_id])] += term in text
    return counted


@pytest.mark.parametrize("statuses", STATUS_FILTERS, ids=lambda s: "+".join(sorted(s)) or "any")
def test_a_short_term_is_counted_up_to_the_cap_and_says_so(
    demo: dict[int, str], database_url: str, queue: QueueService, statuses: frozenset[Status]
) -> None:
    true = _reference(demo, database_url, "j")
    in_view = sum(n for s, n in true.items() if not statuses or s in statuses)
    cap = 40
    assert sum(true.values()) > cap and in_view > 0  # the demo data has many "j"s
    counts = queue.counts(QueueFilter(statuses=statuses, text="j"), cap=cap)
    assert not counts.exact
    assert sum(counts.by_status.values()) == cap
    assert all(0 <= counts.by_status[s] <= true[s] for s in Status)  # lower bounds, never more
    assert counts.total == min(in_view, cap) and counts.total_exact == (in_view < cap)
    assert counts.total_text() == (f"{cap}+ transfers" if in_view >= cap
                                   else f"{in_view} transfers")


def test_capped_counts_stay_exact_for_trigram_terms_and_rare_short_ones(
    demo: dict[int, str], database_url: str, queue: QueueService
) -> None:
    john = _reference(demo, database_url, "john")
    assert sum(john.values()) > 3
    counts = queue.counts(QueueFilter(text="john"), cap=3)  # the trigram index: always exact
    assert counts.exact and dict(counts.by_status) == john
    pairs = {text[i:i + 2] for text in demo.values() for i in range(len(text) - 1)}
    rare = next(p for p in sorted(pairs)
                if p.strip() == p and 0 < sum(p in t for t in demo.values()) < 5)
    counts = queue.counts(QueueFilter(statuses=OPEN_STATUSES, text=rare), cap=5)
    assert counts.exact and dict(counts.by_status) == _reference(demo, database_url, rare)
    assert counts.status_text(Status.VERIFIED) == str(counts.by_status[Status.VERIFIED])


def test_counts_of_a_term_with_a_trigram_go_through_the_trigram_index(
    demo: dict[int, str], engine: Engine
) -> None:
    assert [has_trigram(t) for t in ("j", "jo", "a-b", "joh", "ohio s", "101")] == [
        False, False, False, True, True, True]
    counts_sql = "SELECT status, count(*) FROM transfers WHERE search_text LIKE %s GROUP BY 1"
    for term, trigram in (("john", True), ("jo", False)):
        with Session(engine) as session, session.begin():
            status_counts(session, QueueFilter(text=term))
            cursor = session.connection().connection.dbapi_connection.cursor()
            cursor.execute("EXPLAIN " + counts_sql, (f"%{term}%",))
            plan = "\n".join(r[0] for r in cursor.fetchall())
        assert ("ix_transfers_search_trgm" in plan) is trigram, plan
