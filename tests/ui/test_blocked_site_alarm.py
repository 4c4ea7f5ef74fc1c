"""Every desk shows a blocked site's alarm (the site, until when) and a supervisor resumes it
from the banner."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import load_settings
from app.db.models import AuditLog
from app.events import EventBus
from app.repositories import breakers
from app.services.breakers import BreakerService
from ui.main_window import MainWindow

SITE_URL = "http://127.0.0.1:9/"


def test_the_banner_names_the_paused_site_and_a_supervisor_resumes_it(
        qtbot, run, until, tmp_path, engine, backend, account_id):
    with Session(engine) as session, session.begin():
        breakers.record_block(session, SITE_URL, breakers.BreakerPolicy(blocks=1),
                              "the portal refuses automated browsers")
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    try:
        run(win.start())
        until(lambda: "site blocked" in win.alarms.label.text())
        text = win.alarms.label.text()
        assert SITE_URL in text and "paused until" in text and "own browser" in text
        assert win.alarms.resume_button.isVisible()

        win.alarms.resume_button.click()
        until(lambda: not win.alarms.isVisible())
        assert "resumed" in win.statusBar().currentMessage()
        assert BreakerService(engine).list_open() == []
        with engine.connect() as conn:
            actor = conn.scalar(select(AuditLog.actor_name)
                                .where(AuditLog.action == "resume_site"))
        assert actor == "Test Desk"
    finally:
        win.close()
        win.executor.shutdown(wait=True)
