"""Escrow problems tab: lists failed holds from the real database and re-queues them."""

from __future__ import annotations

from sqlalchemy import text

from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.escrow_view import EscrowProblemsView


def _fail_capture(engine, transfer_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE transfers SET status = 'verified', verified_at = now(), method = 'manual',"
            " payment_intent_id = 'pi_test_1', amount = 12000, currency = 'usd',"
            " escrow_status = 'failed', escrow_attempts = 5,"
            " escrow_error = 'Stripe unreachable' WHERE id = :id"), {"id": transfer_id})


def test_lists_failed_holds_and_retries_them(qtbot, qtmodeltester, run, engine, backend,
                                             account_id):
    ids = seed_transfers(engine, 3, account_id)
    _fail_capture(engine, ids[0])
    executor = ServiceExecutor(2)
    view = EscrowProblemsView(backend, executor, TaskGroup())
    qtbot.addWidget(view)
    run(view.reload())
    qtmodeltester.check(view.model, force_py=True)
    assert view.model.rowCount() == 1
    cells = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
    assert cells[2] == "verified" and cells[3] == "failed" and cells[6] == "Stripe unreachable"
    assert not view.retry_button.isEnabled()

    view.table.selectRow(0)
    assert view.retry_button.isEnabled() and view.selected_ids() == [ids[0]]
    run(view.retry_selected())
    with engine.connect() as conn:
        status, attempts = conn.execute(text(
            "SELECT escrow_status, escrow_attempts FROM transfers WHERE id = :id"),
            {"id": ids[0]}).one()
        audit = conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE transfer_id = :id"
            " AND action = 'escrow_retry_requested'"), {"id": ids[0]}).scalar_one()
    assert (status, attempts, audit) == ("capture_pending", 0, 1)
    assert "Queued again: 1 of 1" in view.status.text()
    executor.shutdown(wait=True)


def test_empty_list_says_so(qtbot, run, engine, backend):
    executor = ServiceExecutor(1)
    view = EscrowProblemsView(backend, executor, TaskGroup())
    qtbot.addWidget(view)
    run(view.reload())
    assert view.model.rowCount() == 0 and "No escrow problems" in view.status.text()
    executor.shutdown(wait=True)


def test_a_header_sorts_the_table_and_the_selection_stays_on_its_transfer(
        qtbot, qtmodeltester, run, engine, backend, account_id):
    from PySide6.QtCore import Qt

    ids = seed_transfers(engine, 3, account_id)
    for transfer_id, attempts in zip(ids, (5, 2, 12), strict=True):
        _fail_capture(engine, transfer_id)
        with engine.begin() as conn:
            conn.execute(text("UPDATE transfers SET escrow_attempts = :a, payment_intent_id ="
                              " 'pi_' || id WHERE id = :id"), {"a": attempts, "id": transfer_id})
    executor = ServiceExecutor(1)
    view = EscrowProblemsView(backend, executor, TaskGroup())
    qtbot.addWidget(view)
    run(view.reload())
    qtmodeltester.check(view.proxy, force_py=True)
    shown = [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]
    assert shown == [p.order_ref for p in backend.escrow_problems()], "the service's order"

    view.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # Attempts: by number, not text
    assert [view.proxy.index(r, 4).data() for r in range(3)] == ["12", "5", "2"]
    view.table.selectRow(2)
    assert view.selected_ids() == [ids[1]], "the row shown last is the one with 2 attempts"
    tooltip = view.proxy.index(2, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith(f"Hold pi_{ids[1]} for 120.00 USD; lapses")
    executor.shutdown(wait=True)
