"""Takeover for real: a bot challenge moves the run into a HEADED Chromium on a private X server.

Everything is real: the sandbox portal's press-and-hold challenge, Chromium (headless, then
headed under Xvfb), the desk's run control, the run panel's buttons (Qt offscreen), PostgreSQL
and the keyring. The "operator" passes the challenge in the headed window with the mouse (press,
hold until the bar fills, release), then hands back through the panel; the run finishes on the
same session without a second sign-in, and the audit log holds the takeover.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.credentials import portal_key
from app.domain.records import AuditEntry, NewTransfer
from app.events import EventBus
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.runs.desk_control import DeskRunControl
from automation.runs.events import StepFinished, TakeoverRequested
from automation.sandbox.portal import SandboxPortal
from tests.fixtures.xvfb import XServer
from tests.ui.desk_kit import open_panel_desk
from ui.bridge import EventBridge
from ui.db_executor import TaskGroup
from ui.run_panel import RunPanel

SITE = "state-u"
DESK_NAME = "Robin (desk 9)"
CHALLENGE_TITLE = "Access check | State University Athletics"


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics", max_attempts=3)
        yield server


@dataclass
class Desk:
    """One desk wired as in the app, with a transfer waiting on the sandbox portal."""

    panel: RunPanel
    bus: EventBus
    bridge: EventBridge
    control: DeskRunControl
    tasks: TaskGroup
    transfer_id: int
    token: str
    row: Any


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, portal: SandboxPortal, engine: Engine, database_url: str,
         credential_store: Any, xvfb: XServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("DISPLAY", xvfb.display)  # the headed browser opens on the private X
    portal.clear_faults()
    transfers = TransferService(engine, "tests")
    email, password = f"desk-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk")
    account = transfers.add_account("paciolan", portal.site_url(SITE), email)
    credential_store.set(portal_key(str(account.id)), password)
    starts = datetime.now(UTC) + timedelta(days=5)
    sent = portal.create_transfer(
        SITE, email, sender_name="Sam Seller", sender_email="sam@seller.test",
        event_name="Football vs Rivals", event_starts_at=starts, venue="Memorial Stadium",
        section="101", row="F", seats=["5", "6"])
    full = transfers.create(NewTransfer(
        order_ref=f"ORD-{secrets.token_hex(4)}", event_name="Football vs Rivals",
        account_id=account.id, seller_name="Sam Seller", seller_email="sam@seller.test",
        venue="Memorial Stadium", event_starts_at=starts, section="101", row="F",
        seats=("5", "6")))
    transfers.mark_notice_received(full.row.id, accept_url=portal.accept_url(sent),
                                   transfer_ref=sent.token, accept_by=sent.expires_at)
    parts = open_panel_desk(qtbot, tmp_path, database_url, credential_store, DESK_NAME)
    panel, bus, bridge, control, tasks = (
        parts.panel, parts.bus, parts.bridge, parts.control, parts.tasks)

    def challenge_after_sign_in(event: StepFinished) -> None:
        # on the browser thread, before the next step starts: the portal turns suspicious
        if event.step == "sign_in" and event.ok:
            portal.set_faults(SITE, bot_challenge=True)

    unsubscribe = bus.subscribe(challenge_after_sign_in, StepFinished)
    row = QueueService(engine).rows([full.row.id])[0]
    try:
        yield Desk(panel, bus, bridge, control, tasks, full.row.id, sent.token, row)
    finally:
        unsubscribe()
        parts.close()
        portal.clear_faults()


@dataclass(frozen=True)
class HeadedView:
    """What the operator found in the browser they were handed."""

    session_headless: bool
    title: str
    windows: str


async def _headed_view(desk: Desk, run_key: str, xvfb: XServer) -> HeadedView:
    service, key = desk.control.browser_service, desk.control.account_key(run_key)

    async def look() -> tuple[bool, str]:
        session = await service.session(key)
        page = await session.page()
        await page.locator("#hold-button").wait_for()
        return session.headless, await page.title()

    headless, title = await asyncio.wrap_future(service.submit(look()))
    windows = await asyncio.to_thread(xvfb.windows)
    return HeadedView(headless, title, windows)


async def _press_and_hold(desk: Desk, run_key: str) -> str:
    """Pass the challenge as a person would: press the button, hold until it submits, release."""
    service, key = desk.control.browser_service, desk.control.account_key(run_key)

    async def by_hand() -> str:
        page = await (await service.session(key)).page()
        box = await page.locator("#hold-button").bounding_box()
        assert box is not None
        await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        async with page.expect_navigation():  # the page submits itself once the bar is full
            await page.mouse.down()
        await page.mouse.up()
        return await page.title()

    return await asyncio.wrap_future(service.submit(by_hand()))


def _takeovers(engine: Engine, transfer_id: int) -> list[AuditEntry]:
    return [a for a in QueueService(engine).detail(transfer_id).audit if a.action == "takeover"]


def _operator(desk: Desk, xvfb: XServer, hand_back: bool, seen: dict[str, Any]
              ) -> Callable[[TakeoverRequested], None]:
    """A bridge slot that plays the operator when the panel asks for a takeover."""

    async def take_over(run_key: str) -> None:
        panel = desk.panel
        seen["account_key"] = desk.control.account_key(run_key)
        seen["prompt"] = panel.takeover_label.text()
        seen["prompt_visible"] = not panel.takeover_box.isHidden()
        seen["hand_back_enabled_before_open"] = panel.hand_back_button.isEnabled()
        panel.open_browser_button.click()
        seen["view"] = await _headed_view(desk, run_key, xvfb)
        if hand_back:
            frames_before = panel.frames_received
            seen["title_after"] = await _press_and_hold(desk, run_key)
            deadline = asyncio.get_running_loop().time() + 15  # frames are queued to this loop
            while (panel.frames_received == frames_before
                   and asyncio.get_running_loop().time() < deadline):
                await asyncio.sleep(0.02)
            seen["frames_during_hold"] = panel.frames_received - frames_before
            panel.hand_back_button.click()
        else:
            panel.give_up_button.click()

    async def take_over_or_give_up(run_key: str) -> None:
        try:
            await take_over(run_key)
        except Exception as exc:  # fail the test fast instead of leaving the run paused
            seen["error"] = exc
            desk.panel.give_up_button.click()

    def on_event(event: TakeoverRequested) -> None:
        desk.tasks.spawn(take_over_or_give_up(event.run_key), name="operator")

    return on_event


def _assert_headed(view: HeadedView) -> None:
    assert view.session_headless is False
    assert view.title == CHALLENGE_TITLE
    # a real top-level window of that page exists on the private X display
    assert f'"{CHALLENGE_TITLE} - Chromium"' in view.windows, view.windows


def test_headed_takeover_then_hand_back_accepts_on_the_same_session(
    desk: Desk, xvfb: XServer, run: Callable[..., Any], until: Callable[..., None],
    portal: SandboxPortal, engine: Engine,
) -> None:
    seen: dict[str, Any] = {}
    desk.bridge.takeover_requested.connect(_operator(desk, xvfb, True, seen))
    before = datetime.now(UTC)
    [result] = run(desk.panel.run_batch([desk.row]), timeout=240)

    assert "error" not in seen, seen.get("error")
    assert "bot challenge" in seen["prompt"] and seen["prompt_visible"]
    assert seen["hand_back_enabled_before_open"] is False
    _assert_headed(seen["view"])
    assert seen["title_after"] != CHALLENGE_TITLE, "the press-and-hold passed the challenge"
    assert seen["frames_during_hold"] >= 1, "the panel shows the headed page live"
    assert result.outcome.value == "accepted", result.detail
    assert result.status == "verified"
    assert portal.accept_counts()[desk.token] == 1
    log_text = desk.panel.log_view.toPlainText()
    assert log_text.count("signed in as") == 1, "the headed browser reused the session"
    assert "the operator handed control back" in log_text
    assert desk.panel.takeover_box.isHidden()
    until(lambda: bool(_takeovers(engine, desk.transfer_id)))
    [entry] = _takeovers(engine, desk.transfer_id)
    assert entry.detail["who"] == DESK_NAME and entry.actor_name == DESK_NAME
    assert entry.detail["outcome"] == "handed_back"
    assert datetime.fromisoformat(entry.detail["started_at"]) >= before
    assert entry.detail["seconds"] >= 1, "the hold alone takes 1.5 s"
    until(lambda: "takeover by " + DESK_NAME in desk.panel.log_view.toPlainText())
    service = desk.control.browser_service
    session = service.call(service.session(seen["account_key"]), timeout=30)
    assert session.headless is True, "after the run the session is back in the headless browser"


def test_headed_takeover_give_up_needs_review(
    desk: Desk, xvfb: XServer, run: Callable[..., Any], until: Callable[..., None],
    portal: SandboxPortal, engine: Engine,
) -> None:
    seen: dict[str, Any] = {}
    desk.bridge.takeover_requested.connect(_operator(desk, xvfb, False, seen))
    [result] = run(desk.panel.run_batch([desk.row]), timeout=240)

    assert "error" not in seen, seen.get("error")
    _assert_headed(seen["view"])
    assert result.outcome.value == "bot_challenge", result.detail
    assert "declined" in result.detail
    assert result.status == "needs_review"
    assert portal.accept_counts().get(desk.token, 0) == 0
    until(lambda: bool(_takeovers(engine, desk.transfer_id)))
    [entry] = _takeovers(engine, desk.transfer_id)
    assert entry.detail["outcome"] == "gave_up" and entry.detail["who"] == DESK_NAME
    assert QueueService(engine).rows([desk.transfer_id])[0].status == "needs_review"
