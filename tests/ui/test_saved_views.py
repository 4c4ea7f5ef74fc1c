"""The saved-view box tells the truth about the queue's filter (real queue service)."""

from __future__ import annotations

from sqlalchemy import text as sql

from app.desk.api import DEFAULT_VIEW, SAVED_VIEWS
from app.domain.records import QueueFilter
from app.domain.states import OPEN_STATUSES, Status
from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.queue_view import PAGE_SIZE, QueueWidget

CUSTOM = "Custom"  # the entry shown while the filter is no saved view


def _widget(qtbot, backend):
    executor, tasks = ServiceExecutor(2), TaskGroup()
    widget = QueueWidget(backend, executor, tasks)
    qtbot.addWidget(widget)
    return widget, executor


def _entries(widget: QueueWidget) -> list[str]:
    return [widget.view_box.itemText(i) for i in range(widget.view_box.count())]


def test_a_summary_link_outside_the_view_shows_custom_and_a_view_restores_it(
        qtbot, until, engine, backend, account_id):
    """The batch summary's link searches every status: the box says so ("Custom"), and
    choosing "All open" again gives back the open view with the text from before the link."""
    seed_transfers(engine, 150, account_id)
    widget, executor = _widget(qtbot, backend)
    widget.reload()
    until(lambda: widget.model.rowCount() == PAGE_SIZE)
    assert widget.view_box.currentText() == "All open" and CUSTOM not in _entries(widget)
    with engine.begin() as conn:  # out of the open view
        far = conn.execute(sql("UPDATE transfers SET status = 'verified' WHERE id ="
                               " (SELECT max(id) FROM transfers) RETURNING id, order_ref")).one()
    until(lambda: widget.model.row_for_id(far.id) is None)
    widget.show_transfer(far.id)
    until(lambda: (row := widget.current_row()) is not None and row.id == far.id)
    assert widget.query.statuses == frozenset()
    assert widget.view_box.currentText() == CUSTOM
    assert widget.view_box.accessibleName() == "Saved view"

    widget.view_box.setCurrentText("All open")  # what the menu item and the 1 key do
    until(lambda: widget.model.rowCount() == PAGE_SIZE)
    assert widget.query == DEFAULT_VIEW
    assert widget.search_edit.text() == ""
    assert widget.status_box.currentData() is None  # "Open statuses"
    assert CUSTOM not in _entries(widget) and widget.view_box.currentText() == "All open"
    executor.shutdown(wait=True)


def test_the_box_follows_hand_picked_filters(qtbot, until, engine, backend, account_id):
    """A status picked by hand that is a saved view shows that view; one that is not shows
    Custom; typed search text stays inside the view."""
    seed_transfers(engine, 3, account_id)
    widget, executor = _widget(qtbot, backend)
    widget.reload()
    until(lambda: widget.model.rowCount() == 3)
    widget.status_box.setCurrentIndex(widget.status_box.findData(Status.NEEDS_REVIEW))
    widget.status_box.activated.emit(widget.status_box.currentIndex())
    assert widget.view_box.currentText() == "Needs review"
    widget.status_box.setCurrentIndex(widget.status_box.findData(Status.VERIFIED))
    widget.status_box.activated.emit(widget.status_box.currentIndex())
    assert widget.view_box.currentText() == CUSTOM
    widget.view_box.setCurrentText("Due soon")
    assert widget.query == SAVED_VIEWS["Due soon"]
    assert widget.view_box.currentText() == "Due soon" and CUSTOM not in _entries(widget)
    widget.search_edit.setText("ORD-0001")
    widget.search_edit.returnPressed.emit()
    until(lambda: widget.model.rowCount() == 1)
    assert widget.view_box.currentText() == "Due soon"
    executor.shutdown(wait=True)


def test_view_name_ignores_text_and_sort_only():
    from ui.saved_views import view_name

    assert view_name(DEFAULT_VIEW) == "All open"
    assert view_name(QueueFilter(statuses=OPEN_STATUSES, text="clemson", sort_key="event",
                                 descending=True)) == "All open"
    assert view_name(QueueFilter(statuses=frozenset())) is None
    assert view_name(QueueFilter(statuses=OPEN_STATUSES, account_id=3)) is None
