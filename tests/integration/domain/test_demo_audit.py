"""Generated demo transfers come with the audit trail their states imply (insert_demo)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, text

from app.domain.states import EscrowStatus, Status
from app.services.queue import QueueService
from automation.demo.transfers import insert_demo
from tests.integration.domain.demo_timeline import problems


def test_every_demo_transfer_has_a_truthful_timeline(engine: Engine, database_url: str) -> None:
    insert_demo(database_url, 400, seed=3, prefix="AUD")
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(text(
            "SELECT id FROM transfers WHERE order_ref LIKE 'AUD-%' ORDER BY id")).scalars()]
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT transfer_id, action FROM audit_log"
            " WHERE transfer_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d")).scalar_one()
        direct = conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE action LIKE 'direct_%'")).scalar_one()
    assert len(ids) == 400 and twice == 0 and direct == 0
    queue = QueueService(engine, "check")
    seen: Counter[Status] = Counter()
    found: list[str] = []
    for transfer_id in ids:
        detail = queue.detail(transfer_id)
        row = detail.transfer.row
        seen[row.status] += 1
        found += problems(detail)
        actions = [a.action for a in detail.audit]
        assert actions.index("escrow_hold_placed") == 1, actions  # right after the order
        if row.escrow_status in (EscrowStatus.CAPTURED, EscrowStatus.CANCELLED):
            assert actions[-1] == f"escrow_{row.escrow_status.value}", actions
        words = [item.summary for item in detail.timeline]
        assert words[0] == "Order added by demo data", words
        if row.status is not Status.AWAITING_NOTICE:
            assert words[2].startswith(f"Notice matched: {row.seller_name}"), words
        if row.status is Status.VERIFIED and detail.transfer.method == "auto":
            assert "Verified by automation: accepted" in words, words
    assert found == []
    assert set(seen) == set(Status)  # every state was checked


def test_a_second_batch_leaves_the_first_ones_trail_alone(engine: Engine,
                                                          database_url: str) -> None:
    insert_demo(database_url, 50, seed=1, prefix="ONE")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    insert_demo(database_url, 50, seed=2, prefix="TWO", with_accounts=False)
    with engine.connect() as conn:
        per_prefix = dict(conn.execute(text(
            "SELECT left(t.order_ref, 3), count(*) FROM audit_log a JOIN transfers t"
            " ON t.id = a.transfer_id GROUP BY 1")).all())
        after = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert per_prefix["ONE"] + per_prefix["TWO"] + 2 == after  # + the two batch rows
    assert per_prefix["ONE"] == before - 1
