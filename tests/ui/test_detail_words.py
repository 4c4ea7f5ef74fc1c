"""The detail pane says everything in words: a bare transfer (no account, seats, money or
deadlines) and a worked one, rendered on the real database (offscreen)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from app.domain.records import NewTransfer
from app.domain.states import Outcome
from app.services.transfers import TransferService
from app.timeline_text import AUDIT_SENTENCES
from tests.ui.views_seed import seed_readable_timeline
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.detail_pane import DetailPane, transfer_facts

RAW = set(AUDIT_SENTENCES) | {o.value for o in Outcome}


def _shown_text(pane: DetailPane) -> str:
    labels = [label.text() for label in pane.findChildren(QLabel)]
    items = [pane.timeline.topLevelItem(i) for i in range(pane.timeline.topLevelItemCount())]
    cells = [item.text(c) for item in items for c in range(pane.timeline.columnCount())]
    tips = [item.toolTip(c) for item in items for c in range(pane.timeline.columnCount())]
    return "\n".join(labels + cells + tips)


def _render(qtbot: QtBot, run: Callable[..., Any], backend: ServiceBackend,
            transfer_id: int) -> DetailPane:
    executor = ServiceExecutor(1)
    pane = DetailPane(backend, executor, TaskGroup())
    qtbot.addWidget(pane)
    pane.account_names = {a.id: a.label or a.username for a in backend.accounts()}
    run(pane.load(transfer_id))
    executor.shutdown(wait=True)
    return pane


def test_a_bare_transfer_has_dashes_not_none(qtbot: QtBot, run: Callable[..., Any],
                                             engine: Engine, backend: ServiceBackend) -> None:
    bare = TransferService(engine, "Dana").create(NewTransfer(order_ref="ORD-BARE",
                                                              event_name="Game 1"))
    pane = _render(qtbot, run, backend, bare.row.id)
    facts = dict(transfer_facts(pane.detail, pane.account_names))
    assert facts["Account"] == "none assigned" and facts["Seats"] == "—"
    assert facts["Seller"] == "—" and facts["Amount"] == "—" and facts["Held by"] == "—"
    assert facts["Escrow"] == "no hold placed" and facts["Last outcome"] == "—"
    text = _shown_text(pane)
    assert "None" not in text and "not set" in text
    assert not set(re.findall(r"[a-z]+(?:_[a-z]+)+", text)) & RAW


def test_a_worked_transfer_reads_as_sentences(qtbot: QtBot, run: Callable[..., Any],
                                              engine: Engine, backend: ServiceBackend) -> None:
    pane = _render(qtbot, run, backend, seed_readable_timeline(engine))
    facts = dict(transfer_facts(pane.detail, pane.account_names))
    assert facts["Account"] == "Bulldogs box"
    assert facts["Last outcome"] == "Sign-in failed"
    assert facts["Decision"].startswith("Verified by hand by Dana (desk 3) on ")
    assert facts["Decision"].endswith(": seats 7-8 seen in My Account")
    assert facts["Amount"] == "$240.00"
    text = _shown_text(pane)
    assert "None" not in text
    assert not set(re.findall(r"[a-z]+(?:_[a-z]+)+", text)) & RAW
    kinds = {pane.timeline.topLevelItem(i).toolTip(0).split(" · ")[0]
             for i in range(pane.timeline.topLevelItemCount())}
    assert kinds == {"Change", "Browser run", "Evidence"}
