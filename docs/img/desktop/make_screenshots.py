"""Regenerate the desktop screenshots in this directory (docs/desktop.md walks through them).

Run under Xvfb with a real keyring, e.g.::

    Xvfb :99 -screen 0 1400x900x24 &  export DISPLAY=:99 QT_QPA_PLATFORM=xcb
    dbus-run-session -- bash -c 'export $(echo pw | gnome-keyring-daemon --unlock \
        --components=secrets); .venv/bin/python docs/img/desktop/make_screenshots.py'

It makes a throwaway PostgreSQL cluster with 100k demo transfers, a sandbox portal for a live
run, takes the pictures, and deletes everything again. ``--lane`` takes only the assisted
lane's picture (no demo rows).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent

import qasync  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.credentials import CredentialStore, portal_key  # noqa: E402
from app.db import migrate  # noqa: E402
from app.db.engine import make_engine  # noqa: E402
from app.db.local_cluster import LocalCluster  # noqa: E402
from app.domain.records import NewTransfer  # noqa: E402
from app.services.ops import AlarmService  # noqa: E402
from app.services.transfers import TransferService  # noqa: E402
from automation.demo.transfers import insert_demo  # noqa: E402
from automation.sandbox.portal import SandboxPortal  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.theme import apply_theme  # noqa: E402


def shot(widget: QWidget, name: str) -> None:
    """Grab a widget (with its children) into OUT/name.png."""
    QApplication.processEvents()
    widget.grab().save(str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png")


async def pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def main(app: QApplication, url: str, data: Path, dark: bool) -> None:
    engine = make_engine(url)
    transfers = TransferService(engine, "demo")
    AlarmService(engine, "demo").raise_alarm(
        "selector_drift", "state-u", "No selector matched 'accept button' on State U")
    _fail_some_captures(engine)
    portal = SandboxPortal()
    portal.start()
    try:
        portal.add_site("state-u", "State University Athletics")
        email, password = "desk@market.test", secrets.token_urlsafe(12)
        portal.add_account("state-u", email, password, "Market Desk")
        account = transfers.add_account("paciolan", portal.site_url("state-u"), email,
                                        "State U desk")
        CredentialStore().set(portal_key(str(account.id)), password)
        starts = datetime.now(UTC) + timedelta(days=4)
        sent = portal.create_transfer(
            "state-u", email, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name="Football vs Rivals", event_starts_at=starts, venue="Memorial Stadium",
            section="101", row="F", seats=["5", "6"])
        full = transfers.create(NewTransfer(
            order_ref="ORD-LIVE-0001", event_name="Football vs Rivals", account_id=account.id,
            seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
            event_starts_at=starts, section="101", row="F", seats=("5", "6"),
            accept_by=datetime.now(UTC) + timedelta(hours=3), amount=24000))
        transfers.mark_notice_received(full.row.id, accept_url=portal.accept_url(sent),
                                       transfer_ref=sent.token, accept_by=sent.expires_at)
        settings = load_settings(data / "none.toml", environ={
            "TRANSFERDESK_DATA_DIR": str(data), "TRANSFERDESK_DATABASE_URL": url,
            "TRANSFERDESK_DISPLAY_NAME": "Dana (desk 3)"})
        window = MainWindow(settings)
        window.resize(1380, 860)
        window.show()
        await window.connect_database()
        while window.queue.model.rowCount() == 0 or window.queue._total is None:
            await pause(0.05)
        suffix = "-dark" if dark else ""
        window.queue.select_row(2)
        await pause(1.0)
        shot(window, f"queue-detail{suffix}")
        if dark:
            return
        window.help.toggle()
        shot(window, "help-overlay")
        window.help.toggle()
        # live run of the sandbox transfer
        window.queue.search_edit.setText("ORD-LIVE")
        window.queue._apply_search()
        while window.queue.model.rowCount() != 1:
            await pause(0.05)
        window.queue.select_row(0)
        window.tabs.setCurrentWidget(window.run_panel)
        task = asyncio.ensure_future(window.run_panel.run_batch([window.queue.current_row()]))
        while window.run_panel.frames_shown < 3 and not task.done():
            await pause(0.1)
        shot(window, "run-panel-live")
        await task
        await pause(0.5)
        shot(window, "run-panel-done")
        # manual decision with evidence
        window.queue.search_edit.setText("")
        window.queue._apply_search()
        await pause(1.0)
        window.queue.select_row(5)
        dialog = window.open_override()
        png = data / "my-account.png"
        window.grab().scaled(640, 400).save(str(png))
        await dialog.add_path(png)
        empty = data / "empty.pdf"
        empty.write_bytes(b"")
        await dialog.add_path(empty)
        dialog.verify_radio.setChecked(True)
        dialog.note_edit.setPlainText("Seats 12-13 visible under My Account; the portal "
                                      "showed a bot challenge to automation.")
        shot(dialog, "override-dialog")
        dialog.reject()
        window.open_settings()
        await pause(0.8)
        for child in window.children():
            if type(child).__name__ == "SettingsDialog":
                for index, name in ((1, "settings-mailbox"), (2, "settings"),
                                    (3, "settings-stripe")):
                    child.tabs.setCurrentIndex(index)
                    await pause(0.5)
                    shot(child, name)
                child.reject()
        window.tabs.setCurrentWidget(window.notices)
        shot(window, "unmatched-notices")
        window.tabs.setCurrentWidget(window.escrow)
        await window.escrow.reload()
        shot(window, "escrow-problems")
        window.open_dashboard()
        await pause(1.5)
        for child in window.children():
            if type(child).__name__ == "DashboardWindow":
                shot(child, "dashboard")
                child.close()
        window.close()
    finally:
        portal.stop()
        engine.dispose()


async def lane(url: str) -> None:
    """The assisted lane with three transfers of an assisted account and a pasted screenshot."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.desk.service_backend import ServiceBackend
    from app.services.breakers import BreakerService
    from ui.assisted_lane import AssistedLaneView
    from ui.db_executor import ServiceExecutor, TaskGroup

    engine = make_engine(url)
    owner = TransferService(engine, "demo")
    account = owner.add_account("paciolan", "https://byutickets.evenue.net", "box@market.test",
                                "BYU (blocked)")
    BreakerService(engine, "Sue Supervisor").set_automation_mode(account.id, "assisted")
    now = datetime.now(UTC)
    for hours, (ref, event, seats) in zip((5, 20, 44), (
            ("ORD-7731", "BYU vs Utah - Football", ("14", "15")),
            ("ORD-7742", "BYU vs Baylor - Football", ("3",)),
            ("ORD-7760", "BYU vs Gonzaga - Basketball", ("8", "9", "10"))), strict=True):
        made = owner.create(NewTransfer(
            order_ref=ref, event_name=event, account_id=account.id, seller_name="Sam Seller",
            seller_email="sam@seller.test", section="112", row="K", seats=seats,
            accept_by=now + timedelta(hours=hours)))
        owner.mark_notice_received(made.row.id, accept_url=f"https://byutickets.evenue.net/"
                                   f"transfer/{ref}", transfer_ref=ref, accept_by=None)
    executor = ServiceExecutor(2)
    view = AssistedLaneView(ServiceBackend(engine, "Dana (desk 3)"), executor, TaskGroup(),
                            "desk-3", opener=lambda _url: True)
    view.resize(980, 420)
    view.show()
    await view.reload()
    image = QImage(480, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawText(20, 40, "My Account - BYU vs Utah - Football")
    painter.drawText(20, 80, "Section 112  Row K  Seats 14, 15")
    painter.end()
    view.set_image(image)
    await pause(0.5)
    shot(view, "assisted-lane")
    view.close()
    executor.shutdown(wait=True)
    engine.dispose()


def run_lane() -> None:
    base = Path(tempfile.mkdtemp(prefix="td-shots-"))
    base.chmod(0o755)
    cluster = LocalCluster(base / "cluster")
    cluster.start()
    try:
        url = cluster.url()
        migrate.upgrade(url)
        app = QApplication.instance() or QApplication(sys.argv)
        apply_theme(app, force_dark=False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(lane(url))
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def _fail_some_captures(engine: Any) -> None:
    """Two verified transfers whose capture failed: something for the Escrow problems tab."""
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE transfers SET escrow_status = 'failed', escrow_attempts = 5,"
            " escrow_error = CASE WHEN id % 2 = 0 THEN 'Stripe unreachable (timeout after 30 s)'"
            " ELSE 'payment_intent_unexpected_state: the PaymentIntent is canceled' END,"
            " escrow_updated_at = now()"
            " WHERE id IN (SELECT id FROM transfers WHERE status = 'verified'"
            " AND payment_intent_id IS NOT NULL ORDER BY id LIMIT 2)"))


def run(dark: bool) -> None:
    base = Path(tempfile.mkdtemp(prefix="td-shots-"))
    base.chmod(0o755)
    cluster = LocalCluster(base / "cluster")
    cluster.start()
    try:
        url = cluster.url()
        migrate.upgrade(url)
        insert_demo(url, 100_000)
        app = QApplication.instance() or QApplication(sys.argv)
        QCoreApplication.setOrganizationName("TransferDesk-screenshots")
        apply_theme(app, force_dark=dark)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(main(app, url, base, dark))
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("TRANSFERDESK_KEYRING_SERVICE", "TransferDesk-screenshots")
    if "--lane" in sys.argv:  # only the assisted lane (quick: no 100k demo rows)
        run_lane()
    else:
        run(dark="--dark" in sys.argv)
