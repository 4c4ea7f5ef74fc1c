"""Screenshots of issue 21's views, called from make_screenshots.py (one function per screen).

Each ``shoot_<screen>(window, shot)`` puts the main window (a connected
:class:`ui.main_window.MainWindow`) in the state to show and calls ``shot(widget, name)``:

- :func:`shoot_accounts` -> ``accounts.png``: View > Portal accounts over whatever accounts the
  database has (the demo data's, plus the live-run account).
- :func:`shoot_dashboard` -> ``dashboard.png``: the dashboard for the last 7 days (demo data).
- :func:`shoot_detail_timeline` -> ``detail-timeline.png``: the Detail tab of the current
  queue row (select one with a history first, e.g. after the live run; else the first row).
- :func:`shoot_first_run` -> ``first-run.png``: needs a window on an EMPTY database (no
  accounts, no orders), like ``run_lane``'s fresh cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget
from shots_wait import until

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Shot = Callable[[QWidget, str], None]


async def shoot_accounts(window: MainWindow, shot: Shot) -> None:
    """The accounts view, opened from its menu action, once its rows are loaded."""
    from ui.accounts_view import AccountsView
    from ui.desk_windows import ACCOUNTS_ACTION

    action = window.findChild(QAction, ACCOUNTS_ACTION)
    assert action is not None, "View > Portal accounts is missing"
    action.trigger()
    await until(lambda: window.findChild(AccountsView) is not None, "the accounts view")
    view = window.findChild(AccountsView)
    assert view is not None
    await view.reload()
    view.table.resizeColumnsToContents()
    for column in range(view.model.columnCount()):  # a long failure reason: its tooltip has it
        view.table.setColumnWidth(column, min(view.table.columnWidth(column), 340))
    columns = sum(view.table.columnWidth(c) for c in range(view.model.columnCount()))
    screen = view.screen().availableGeometry()
    view.resize(min(columns + 60, screen.width()), view.height())  # every column in sight
    if view.model.rowCount():
        view.table.selectRow(0)
    await asyncio.sleep(0.3)
    shot(view, "accounts")
    view.close()


async def shoot_dashboard(window: MainWindow, shot: Shot) -> None:
    """The dashboard over the last 7 days."""
    from ui.dashboard import DashboardWindow, Period

    window.open_dashboard()
    await until(lambda: window.findChild(DashboardWindow) is not None, "the dashboard")
    dashboard = window.findChild(DashboardWindow)
    assert dashboard is not None
    dashboard.period.setCurrentIndex(dashboard.period.findData(Period.WEEK))
    await dashboard.reload()
    await asyncio.sleep(0.5)
    shot(dashboard, "dashboard")
    dashboard.close()


async def shoot_detail_timeline(window: MainWindow, shot: Shot) -> None:
    """The Detail tab of the current queue row (select one with a history first)."""
    row = window.queue.current_row()
    if row is None:
        window.queue.select_row(0)
        row = window.queue.current_row()
    assert row is not None, "the queue is empty"
    window.tabs.setCurrentWidget(window.detail)
    await window.detail.load(row.id)
    await asyncio.sleep(0.3)
    shot(window, "detail-timeline")


async def shoot_first_run(window: MainWindow, shot: Shot) -> None:
    """The first-steps panel of a desk on an empty database."""
    panel = window.first_run.panel
    state = await window.first_run.refresh()
    if state is None or state.done or not panel.isVisible():
        raise RuntimeError("screenshot: the first-run panel needs a window on an empty "
                           "database (no accounts, no orders)")
    await asyncio.sleep(0.3)
    shot(window, "first-run")
