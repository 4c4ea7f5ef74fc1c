"""File > Import orders…: preview (dry run) off the GUI thread, per-row errors, then import."""

from __future__ import annotations

from sqlalchemy import text

from app.domain.states import Role
from app.intake.service import IntakeService
from app.webhooks.service import WebhookService
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.dead_letters_view import DeadLettersView
from ui.import_dialog import ImportOrdersDialog

HEADER = "order_ref,event_name,seats,quantity,currency,event_starts_at\n"


def count(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM transfers")).scalar_one()


def test_preview_shows_each_rows_answer_and_import_writes_them(qtbot, qtmodeltester, run,
                                                                engine, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes((HEADER + "U-1,Game,1;2,2,usd,2030-01-01T00:00:00Z\n"
                      "U-2,Game,1;2,3,usd,\n").encode()
                     + b"U-3,Caf\xe9,1,1,usd,\n" + b"U-4,Game,,,zzz,\n")
    executor = ServiceExecutor(2)
    dialog = ImportOrdersDialog(IntakeService(engine, "Dana", Role.STAFF), executor,
                                TaskGroup())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.progress, timeout=10_000):
        run(dialog.preview(path))
    qtmodeltester.check(dialog.model)
    answers = [(r.line, r.status) for r in dialog.model.rows()]
    assert answers == [(2, "applied"), (3, "rejected"), (4, "rejected"), (5, "rejected")]
    reasons = [r.reason for r in dialog.model.rows()]
    assert "quantity 3 does not match 2 seat(s)" in reasons[1]
    assert "UTF-8" in reasons[2] and "currency 'zzz'" in reasons[3]
    assert count(engine) == 0 and dialog.import_button.isEnabled()
    assert dialog.bar.value() == dialog.bar.maximum() == 4
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        run(dialog.run_import())
    assert count(engine) == 1 and "1 applied" in dialog.summary.text()
    executor.shutdown(wait=True)


def test_a_file_that_cannot_be_read_says_so_in_one_line(qtbot, run, engine, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_ref,colour\nA,red\n")
    executor = ServiceExecutor(1)
    dialog = ImportOrdersDialog(IntakeService(engine, "Dana", Role.STAFF), executor,
                                TaskGroup())
    qtbot.addWidget(dialog)
    run(dialog.preview(path))
    assert "unknown column(s) colour" in dialog.summary.text()
    assert not dialog.import_button.isEnabled() and dialog.model.rowCount() == 0
    executor.shutdown(wait=True)


def test_dead_letters_list_and_resend(qtbot, qtmodeltester, run, engine, backend, account_id):
    from tests.ui.conftest import seed_transfers

    (tid,) = seed_transfers(engine, 1, account_id)
    with engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :i"), {"i": tid})
    with engine.begin() as conn:  # the event is written at the commit above
        conn.execute(text(
            "INSERT INTO webhook_deliveries (endpoint, event_id, transfer_id, status, attempts,"
            " last_error, last_status_code) SELECT 'market', id, transfer_id, 'dead', 21,"
            " 'HTTP 503', 503 FROM outcome_events"))
    executor = ServiceExecutor(1)
    view = DeadLettersView(WebhookService(engine, "Dana", Role.STAFF), executor, TaskGroup())
    qtbot.addWidget(view)
    run(view.reload())
    qtmodeltester.check(view.model)
    assert view.model.rowCount() == 1 and not view.resend_button.isEnabled()
    assert view.model.data(view.model.index(0, 1)) == "outcome.expired"
    view.table.selectRow(0)
    assert view.resend_button.isEnabled()
    run(view.resend_selected())
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM webhook_deliveries")).scalar_one()
    assert status == "pending" and view.model.rowCount() == 0
    assert "Queued again: 1 of 1" in view.status.text()
    executor.shutdown(wait=True)


def test_the_desk_offers_import_orders_and_a_dead_letters_tab(qtbot, run, until, engine,
                                                             backend, tmp_path):
    from app.config import load_settings
    from app.events import EventBus
    from ui.main_window import MainWindow

    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    run(win.start())
    file_menu = win.menuBar().actions()[0].menu()
    assert file_menu.actions()[0] is win.import_orders_action
    tabs = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert "Dead letters" in tabs
    win.import_orders_action.trigger()
    until(lambda: win.import_dialog.isVisible())
    win.import_dialog.close()
    win.tabs.setCurrentWidget(win.dead_letters)
    until(lambda: "No dead letters" in win.dead_letters.status.text())
    win.close()
    win.executor.shutdown(wait=True)
