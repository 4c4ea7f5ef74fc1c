"""The assisted lane on the real database: O opens the accept link with the injected opener
(only the link), Ctrl+V pastes a screenshot, V verifies with it as evidence, the next comes up."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from sqlalchemy import select

from app.credentials import CredentialStore, portal_key
from app.db.models import Evidence, Transfer
from app.domain.records import NewTransfer
from app.services.breakers import BreakerService
from app.services.transfers import TransferService
from ui.assisted_lane import AssistedLaneView
from ui.db_executor import ServiceExecutor, TaskGroup


def _png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def test_three_keys_and_a_paste_verify_with_the_image(qtbot, run, until, engine, backend,
                                                      keyring_service):
    owner = TransferService(engine, "setup")
    account = owner.add_account("paciolan", "https://blocked.example", "desk@market.test")
    CredentialStore().set(portal_key(str(account.id)), "never-shown-1")
    BreakerService(engine, "Sue").set_automation_mode(account.id, "assisted")
    now = datetime.now(UTC)
    ids = []
    for hours, ref in ((30, "ORD-LATER"), (6, "ORD-SOONER")):
        made = owner.create(NewTransfer(
            order_ref=ref, event_name="Football vs Rivals", account_id=account.id,
            seller_name="Sam Seller", seller_email="sam@seller.test", section="101", row="F",
            seats=("5", "6"), accept_by=now + timedelta(hours=hours)))
        owner.mark_notice_received(made.row.id, accept_url=f"https://blocked.example/t/{ref}",
                                   transfer_ref=ref, accept_by=None)
        ids.append(made.row.id)
    opened: list[str] = []
    executor = ServiceExecutor(2)
    view = AssistedLaneView(backend, executor, TaskGroup(), "desk-1", opener=opened.append)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    try:
        run(view.reload())
        assert view.current.row.order_ref == "ORD-SOONER", "earliest deadline first"
        assert "Section <b>101</b>" in view.facts.text() and "5, 6" in view.facts.text()
        assert view.model.rowCount() == 2

        QTest.keyClick(view, Qt.Key.Key_O)
        assert opened == ["https://blocked.example/t/ORD-SOONER"]
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor("seagreen"))
        QGuiApplication.clipboard().setImage(image)
        QTest.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        assert view.screenshot == _png(image)
        QTest.keyClick(view, Qt.Key.Key_V)
        until(lambda: "verified with your screenshot" in view.status.text())
        assert view.current.row.order_ref == "ORD-LATER", "the next transfer came up"
        with engine.connect() as conn:
            status = conn.scalar(select(Transfer.status).where(Transfer.id == ids[1]))
            shot = conn.execute(select(Evidence.kind, Evidence.sha256)
                                .where(Evidence.transfer_id == ids[1])).one()
        assert status == "verified"
        assert shot.kind == "screenshot" and shot.sha256 == hashlib.sha256(_png(image)).hexdigest()
        assert all("never-shown-1" not in url for url in opened), "the opener never gets it"
    finally:
        view.close()
        executor.shutdown(wait=True)


def test_the_main_window_opens_the_lane(qtbot, run, until, tmp_path, backend):
    from app.config import load_settings
    from app.events import EventBus
    from ui.main_window import MainWindow

    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    win = MainWindow(settings, backend=backend, bus=EventBus())
    qtbot.addWidget(win)
    win.show()
    try:
        run(win.start())
        win.open_assisted_lane()
        (lane,) = win.findChildren(AssistedLaneView)
        assert lane.isVisible()
        until(lambda: "Nothing needs a person" in lane.facts.text())
    finally:
        win.close()
        win.executor.shutdown(wait=True)


def test_in_a_real_window_under_xvfb(engine, database_url, xvfb):
    import json
    import os
    import subprocess
    import sys

    owner = TransferService(engine, "setup")
    account = owner.add_account("paciolan", "https://blocked.example", "x@market.test")
    BreakerService(engine, "Sue").set_automation_mode(account.id, "assisted")
    made = owner.create(NewTransfer(
        order_ref="ORD-X", event_name="Hockey", account_id=account.id, seller_name="S",
        seller_email="s@seller.test", section="2", row="B", seats=("1",),
        accept_by=datetime.now(UTC) + timedelta(hours=3)))
    owner.mark_notice_received(made.row.id, accept_url="https://blocked.example/t/ORD-X",
                               transfer_ref="ORD-X", accept_by=None)
    env = dict(os.environ, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb")
    proc = subprocess.run([sys.executable, "-m", "tests.ui.lane_window", database_url],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["platform"] == "xcb" and result["window"] > 0
    assert result["opened"] == ["https://blocked.example/t/ORD-X"]
    assert "verified with your screenshot" in result["status"]
    with engine.connect() as conn:
        row = conn.execute(select(Transfer.status, Transfer.verified_by)
                           .where(Transfer.id == made.row.id)).one()
        shot = conn.execute(select(Evidence.kind, Evidence.sha256)
                            .where(Evidence.transfer_id == made.row.id)).one()
    assert tuple(row) == ("verified", "Xena (desk 9)")
    assert shot.kind == "screenshot" and shot.sha256 == result["sha256"]
