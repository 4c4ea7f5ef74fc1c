"""Unmatched notices: list them and link one to a transfer by hand (real mail store + services)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import sessionmaker

from app.mail import store
from app.services.queue import QueueService
from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.notices_view import NoticesView


def _unmatched_notice(engine) -> int:
    """A parsed transfer notice the matcher could not place (as the mail sync stores it)."""
    expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    with sessionmaker(engine).begin() as session:
        [message_id] = store.claim_messages(session, [{
            "message_key": "<notice-1@portal.test>", "mailbox": "transfers",
            "from_addr": "tickets@state-u.test", "subject": "Tickets transferred to you",
            "received_at": datetime.now(UTC), "kind": "transfer_notice",
            "parsed": {"accept_url": "http://127.0.0.1:9/accept/tok", "transfer_ref": "tok",
                       "expires_at": expires},
        }], stale_seconds=300)
        assert message_id is not None
        store.finish_message(session, message_id, match_status="unmatched")
    return message_id


def test_link_a_notice_by_hand(qtbot, qtmodeltester, run, engine, backend, account_id):
    ids = seed_transfers(engine, 3, account_id)
    _unmatched_notice(engine)
    executor = ServiceExecutor(2)
    view = NoticesView(backend, executor, TaskGroup())
    qtbot.addWidget(view)
    run(view.reload())
    qtmodeltester.check(view.notices_model, force_py=True)
    assert view.notices_model.rowCount() == 1
    assert view.notices_model.index(0, 1).data() == "Tickets transferred to you"
    assert view.notices_model.index(0, 2).data() == "tickets@state-u.test"
    run(view.search("ORD-0001"))
    qtmodeltester.check(view.candidates_model, force_py=True)
    assert [r.order_ref for r in view.candidates_model.rows()] == ["ORD-0001"]
    assert view.candidates_model.index(0, 4).data() == "awaiting notice"
    assert not view.link_button.isEnabled(), "nothing selected yet"
    view.notices.selectRow(0)
    view.candidates.selectRow(0)
    assert view.link_button.isEnabled()
    view.link_button.click()
    assert not view.confirm_button.isHidden() and "ORD-0001" in view.confirm_label.text()
    run(view.link_selected())
    assert view.notices_model.rowCount() == 0 and view.status.text() == "Linked to ORD-0001"
    row = QueueService(engine).rows([ids[1]])[0]
    assert row.status == "notice_received"
    executor.shutdown(wait=True)


def test_teaching_needs_a_backend_on_a_database_engine(backend):
    import pytest

    from ui.teach_template import TemplateTeacher

    teacher = TemplateTeacher.from_backend(backend)
    assert (teacher.engine, teacher.actor_name) == (backend.engine, "Test Desk")
    with pytest.raises(TypeError, match="needs a database backend"):
        TemplateTeacher.from_backend(object())
