"""The run panel's Hand back / Give up write the takeover audit row through the db executor.

The takeover request is published on the real event bus as the runner would (a bot challenge
cannot be solved by a test); everything after it is real: the bridge, the panel's buttons, the
desk's run control, the transfer service and PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.domain.records import AuditEntry, NewTransfer
from app.events import EventBus
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.runs.events import Answer, TakeoverRequested
from tests.ui.desk_kit import open_panel_desk
from ui.bridge import EventBridge
from ui.run_panel import RunPanel

DESK_NAME = "Robin (desk 9)"


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, database_url: str, credential_store: Any
         ) -> Iterator[tuple[RunPanel, EventBus, EventBridge]]:
    desk = open_panel_desk(qtbot, tmp_path, database_url, credential_store, DESK_NAME,
                           show=False)
    yield desk.panel, desk.bus, desk.bridge
    desk.close()


def _transfer(engine: Engine) -> int:
    service = TransferService(engine, "tests")
    created = service.create(NewTransfer(
        order_ref=f"ORD-{secrets.token_hex(4)}", event_name="Football vs Rivals",
        seller_name="Sam Seller", seller_email="sam@seller.test", seats=("5",)))
    return created.row.id


def _takeovers(engine: Engine, transfer_id: int) -> list[AuditEntry]:
    audit = QueueService(engine).detail(transfer_id).audit
    return [a for a in audit if a.action == "takeover"]


@pytest.mark.parametrize(("button", "outcome", "answer"),
                         [("hand_back_button", "handed_back", "done"),
                          ("give_up_button", "gave_up", None)])
def test_ending_a_takeover_writes_the_audit_row(
    desk: tuple[RunPanel, EventBus, EventBridge], engine: Engine,
    until: Callable[..., None], button: str, outcome: str, answer: str | None,
) -> None:
    panel, bus, _bridge = desk
    transfer_id = _transfer(engine)
    reply = Answer()
    bus.publish(TakeoverRequested("run-1", transfer_id, "bot challenge", datetime.now(UTC), reply))
    until(lambda: not panel.takeover_box.isHidden())
    assert "bot challenge" in panel.takeover_label.text()

    before = datetime.now(UTC)
    panel.open_browser_button.click()
    getattr(panel, button).click()

    assert panel.takeover_box.isHidden()
    assert reply.wait(0) == answer
    until(lambda: bool(_takeovers(engine, transfer_id)))
    [entry] = _takeovers(engine, transfer_id)
    assert entry.actor_name == DESK_NAME
    assert entry.detail["outcome"] == outcome
    assert entry.detail["who"] == DESK_NAME
    assert datetime.fromisoformat(entry.detail["started_at"]) >= before
    assert entry.detail["seconds"] >= 0


def test_giving_up_without_opening_the_browser_is_audited_as_zero_seconds(
    desk: tuple[RunPanel, EventBus, EventBridge], engine: Engine, until: Callable[..., None],
) -> None:
    panel, bus, _bridge = desk
    transfer_id = _transfer(engine)
    reply = Answer()
    bus.publish(TakeoverRequested("run-2", transfer_id, "bot challenge", datetime.now(UTC), reply))
    until(lambda: not panel.takeover_box.isHidden())
    assert not panel.hand_back_button.isEnabled(), "nothing to hand back before opening"
    panel.give_up_button.click()

    assert reply.wait(0) is None and reply.answered
    until(lambda: bool(_takeovers(engine, transfer_id)))
    [entry] = _takeovers(engine, transfer_id)
    assert entry.detail["outcome"] == "gave_up" and entry.detail["who"] == DESK_NAME
    assert entry.detail["seconds"] == 0
    assert entry.detail["started_at"] == entry.detail["ended_at"]
