"""The run panel driving a real acceptance run: sandbox portal, Chromium, PostgreSQL, keyring."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from app.config import load_settings
from app.credentials import portal_key
from app.domain.records import NewTransfer
from app.events import EventBus
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.browser.screencast import Screencast
from automation.browser.service import BrowserService
from automation.runs.events import OperatorCodeRequested, StepFinished, StepStarted
from automation.sandbox.portal import SandboxPortal
from tests.ui.desk_kit import open_panel_desk
from ui.bridge import EventBridge
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.run_panel import RunPanel

SITE = "state-u"


MAIL: list[tuple[str, bytes]] = []


@pytest.fixture(scope="module")
def portal():
    with SandboxPortal(mailer=lambda to, message: MAIL.append((to, message))) as server:
        server.add_site(SITE, "State University Athletics", max_attempts=3)
        yield server


def _transfer(portal, engine, transfers, account):
    event = f"Football vs Rivals {secrets.token_hex(2)}"
    starts = datetime.now(UTC) + timedelta(days=5)
    sent = portal.create_transfer(
        SITE, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
        event_name=event, event_starts_at=starts, venue="Memorial Stadium", section="101",
        row="F", seats=["5", "6"])
    full = transfers.create(NewTransfer(
        order_ref=f"ORD-{secrets.token_hex(4)}", event_name=event, account_id=account.id,
        seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
        event_starts_at=starts, section="101", row="F", seats=("5", "6")))
    transfers.mark_notice_received(full.row.id, accept_url=portal.accept_url(sent),
                                   transfer_ref=sent.token, accept_by=sent.expires_at)
    return QueueService(engine).rows([full.row.id])[0]


def _desk(qtbot, tmp_path, portal, engine, database_url, credential_store, mfa="off"):
    transfers = TransferService(engine, "tests")
    email, password = f"desk-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk", mfa=mfa)
    account = transfers.add_account("paciolan", portal.site_url(SITE), email)
    credential_store.set(portal_key(str(account.id)), password)
    rows = [_transfer(portal, engine, transfers, account) for _ in range(2)]
    desk = open_panel_desk(qtbot, tmp_path, database_url, credential_store)
    panel, bridge, control, executor = desk.panel, desk.bridge, desk.control, desk.executor
    return panel, rows, bridge, control, executor, email, password


def test_accept_batch_live_with_frames_and_log(qtbot, run, tmp_path, portal, engine,
                                               database_url, credential_store):
    panel, rows, bridge, control, executor, _email, password = _desk(
        qtbot, tmp_path, portal, engine, database_url, credential_store)
    try:
        results = run(panel.run_batch(rows), timeout=240)
    finally:
        control.close()
        bridge.close()
        executor.shutdown(wait=True)
    assert [r.outcome.value for r in results] == ["accepted", "accepted"]
    assert panel.progress.value() == panel.progress.maximum() == 2
    assert [panel.results.item(i).text()[0] for i in range(2)] == ["✔", "✔"]
    log_text = panel.log_view.toPlainText()
    assert "▶ Sign in…" in log_text and "■ accepted → verified" in log_text
    assert re.search(r"✔ Accept  \d+\.\d s", log_text), log_text
    assert password not in log_text
    assert panel.frames_shown > 0 and panel.frame_label.pixmap() is not None
    assert panel.status_label.text() == "Done: 2 run(s)"
    assert panel.summary.isVisibleTo(panel) and "2 accepted" in panel.summary.headline.text()
    statuses = {r.status for r in QueueService(engine).rows([r.id for r in rows])}
    assert statuses == {"verified"}


def test_operator_code_prompt_and_abort(qtbot, run, tmp_path, portal, engine, database_url,
                                        credential_store):
    """The code never reaches a watched mailbox: the panel asks inline; then Abort stops."""
    panel, rows, bridge, control, executor, email, _pw = _desk(
        qtbot, tmp_path, portal, engine, database_url, credential_store, mfa="always")
    answered: list[str] = []

    def on_code(event: OperatorCodeRequested) -> None:
        assert not panel.code_box.isHidden() and not panel.isModal()
        newest = [m for to, m in MAIL if to.lower() == email][-1]
        # the code's sentence, not any 6 digits: the address itself may hold six
        code = re.search(rb"verification code is:\s*(\d{6})", newest)
        panel.code_edit.setText(code.group(1).decode())
        answered.append(panel.code_edit.text())
        panel.code_edit.returnPressed.emit()

    def on_step(event: StepStarted) -> None:
        if event.step == "accept" and len(answered) == 1:
            panel.abort()  # during the first transfer: it ends aborted, the second never starts

    bridge.code_requested.connect(on_code)
    bridge.step_started.connect(on_step)
    try:
        results = run(panel.run_batch(rows), timeout=240)
    finally:
        panel.abort()
        control.close()
        bridge.close()
        executor.shutdown(wait=True)
    assert len(answered) == 1 and panel.code_box.isHidden()
    assert "signed in as" in panel.log_view.toPlainText()
    assert [r.outcome.value for r in results] in (["aborted"], ["accepted"])
    assert panel.results.item(1).text().endswith("not started (aborted)")
    assert panel.status_label.text() == "Aborted"


def test_step_log_shows_each_steps_duration(qtbot, until):
    """Step events through the bus and the bridge: the finished line carries the duration."""
    bus = EventBus()
    bridge = EventBridge(bus)
    panel = RunPanel(None, ServiceExecutor(1), TaskGroup())
    qtbot.addWidget(panel)
    panel.follow(bridge)
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    for step, seconds, ok, detail in (("sign_in", 2.34, True, ""),
                                      ("open_transfer", 65.0, False, "no such transfer")):
        bus.publish(StepStarted("run-1", 7, step, at))
        at += timedelta(seconds=seconds)
        bus.publish(StepFinished("run-1", 7, step, at, ok, detail))
    until(lambda: "Open transfer  1 min" in panel.log_view.toPlainText())
    lines = [line.split("  ", 1)[1] for line in panel.log_view.toPlainText().splitlines()]
    assert lines == ["▶ Sign in…", "✔ Sign in  2.3 s", "▶ Open transfer…",
                     "✘ Open transfer  1 min 05 s  no such transfer"]
    bridge.close()
    panel.shutdown()


def _jpeg(color: str) -> bytes:
    image = QImage(160, 100, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", 90)
    return bytes(data)


def test_hidden_panel_decodes_only_the_newest_frame_when_shown(qtbot, until):
    panel = RunPanel(None, ServiceExecutor(1), TaskGroup())
    qtbot.addWidget(panel)
    for color in ("red", "lime", "blue"):
        panel.show_frame(_jpeg(color))
    assert (panel.frames_received, panel.frames_shown) == (3, 0), "hidden: nothing decoded"
    panel.show()
    until(lambda: panel.frames_shown == 1)
    shown = panel.frame_label.pixmap().toImage()
    centre = shown.pixelColor(shown.width() // 2, shown.height() // 2)
    assert centre.blue() > 200 and centre.red() < 60, "the newest frame (blue) is the one shown"
    assert panel.frames_received == 3
    panel.shutdown()


ANIMATED = """<style>@keyframes slide{from{transform:translateX(0)}to{transform:translateX(600px)}}
div{width:80px;height:80px;background:#1a73e8;animation:slide 1s linear infinite}</style>
<div></div>"""


def test_screencast_caps_frames_at_5_fps_on_a_page_that_always_repaints():
    service = BrowserService(load_settings().browser)
    service.start()

    async def stream(seconds: float):
        context = await (await service.browser()).new_context()
        page = await context.new_page()
        await page.set_content(ANIMATED)
        sent: list[float] = []
        screencast = Screencast(page, lambda _jpeg: sent.append(time.monotonic()), fps=5)
        started = time.monotonic()
        await screencast.start()
        await asyncio.sleep(seconds)
        await screencast.stop()
        elapsed = time.monotonic() - started
        await context.close()
        return screencast, sent, elapsed

    try:
        screencast, sent, elapsed = service.call(stream(3.0), timeout=60)
    finally:
        service.stop()
    assert len(sent) == screencast.frames_sent >= 2
    assert len(sent) <= 5 * elapsed + 1
    assert min(b - a for a, b in zip(sent, sent[1:], strict=False)) >= 0.19
    # Chromium is paced by the held acknowledgements: unthrottled it sends ~30 frames/s here
    assert screencast.frames_received <= 4 * screencast.frames_sent + 4
