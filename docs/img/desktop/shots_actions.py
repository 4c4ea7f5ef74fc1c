"""Screenshots of the desk's triage actions, called by make_screenshots.py (one per screen).

Each ``shoot_*`` takes the built, loaded main window (demo data: transfers in every state,
some accepting under a worker's claim) and make_screenshots.py's ``shot(widget, name)``; it
puts the window in the state to show and calls ``shot``. No live run is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget
from shots_wait import until

from app.desk.action_rules import Command
from app.domain.states import Status
from ui.main_window import MainWindow

Shot = Callable[[QWidget, str], None]


async def select_first(window: MainWindow, wanted: Callable[[Status, str | None], bool]) -> bool:
    """Select the first loaded row ``wanted(status, claimed_by)`` picks; wait for its detail."""
    model = window.queue.model
    for index in range(model.rowCount()):
        row = model.row_object(index)
        if wanted(row.status, row.claimed_by):
            window.queue.select_row(index)
            await until(partial(_shows, window, row.id), f"the detail of {row.order_ref}")
            window.commands.refresh()
            return True
    return False


def _shows(window: MainWindow, transfer_id: int) -> bool:
    shown = window.detail.detail
    return shown is not None and shown.transfer.row.id == transfer_id


async def shoot_transfer_menu(window: MainWindow, shot: Shot) -> None:
    """"transfer-toolbar" (the toolbar over the queue) and "transfer-menu" (the open menu),
    for a transfer whose notice arrived (everything but Release enabled)."""
    await select_first(window, lambda status, _holder: status is Status.NOTICE_RECEIVED)
    await asyncio.sleep(0.3)
    shot(window, "transfer-toolbar")
    menu, bar = window.transfer_menu, window.menuBar()
    assert menu is not None
    corner = bar.actionGeometry(menu.menuAction()).bottomLeft()
    menu.popup(bar.mapToGlobal(corner))
    await asyncio.sleep(0.4)
    shot(menu, "transfer-menu")
    menu.hide()


async def shoot_disabled_reason(window: MainWindow, shot: Shot) -> None:
    """"context-menu" (right-click on a row another worker holds: its commands disabled, the
    reason in the status bar, as hovering shows it in the tooltip)."""
    found = await select_first(
        window, lambda status, holder: status is Status.ACCEPTING and holder is not None)
    if not found:
        await select_first(window, lambda status, _holder: status is Status.AWAITING_NOTICE)
    claim = window.commands.actions[Command.CLAIM]
    window.statusBar().showMessage(claim.statusTip())
    table = window.queue.table
    rect = table.visualRect(table.currentIndex())
    window.queue.table.customContextMenuRequested.emit(QPoint(rect.center().x(), rect.center().y()))
    await asyncio.sleep(0.4)
    menu = window.queue.context_menu
    assert menu is not None
    shot(window, "disabled-reason")
    shot(menu, "context-menu")
    menu.hide()
