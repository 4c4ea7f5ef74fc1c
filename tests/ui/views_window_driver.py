"""Drive the issue-21 views in REAL windows (run under Xvfb with QT_QPA_PLATFORM=xcb).

``python -m tests.ui.views_window_driver COMMAND DATABASE_URL DATA_DIR [ARGS…]`` opens one
view on the database, works it with real mouse clicks and prints one JSON line with what the
window showed. Commands:

- ``accounts SIGN_IN_ID NO_PASSWORD_ID PAUSED_ID``: the accounts view; its rows, the rows
  once every session counts as old, Sign in now on two accounts, Resume on the paused one.
- ``first_run CONFIG IMPORT_FILE``: the main window on an empty database; each step's button,
  each step done through its dialog, the panel going away.
- ``dashboard``: the dashboard for Today.
- ``detail TRANSFER_ID``: the detail pane of one transfer.

Used by tests/ui/test_views_window.py. With ``TD_VIEWS_SHOTS=DIR`` set, each window is also
saved as DIR/<command>.png (to look at what the test saw).
"""

from __future__ import annotations

import os
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget

from app.config import load_settings
from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from app.domain.states import Role
from tests.ui.driver_main import print_result, until
from tests.ui.settle import settle_paint
from ui.db_executor import ServiceExecutor, TaskGroup


def _click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)




async def _shown(widget: QWidget) -> None:
    widget.show()
    await until(lambda: widget.windowHandle() is not None and widget.windowHandle().isExposed(),
                 "the window to be exposed")


async def _grab(widget: QWidget, name: str) -> None:
    if (folder := os.environ.get("TD_VIEWS_SHOTS")):
        settle_paint()
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def _cells(model: Any, row: int) -> dict[str, Any]:
    cells = {}
    for column in range(model.columnCount()):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        cells[header] = model.index(row, column).data()
    return cells


async def accounts(backend: ServiceBackend, executor: ServiceExecutor, settings: Any,
                   sign_in_id: int, no_password_id: int, paused_id: int) -> dict[str, Any]:
    from ui.accounts_view import AccountsView, keyring_sign_in

    view = AccountsView(backend, executor, TaskGroup(), keyring_sign_in(settings))
    view.resize(1200, 420)
    await _shown(view)
    await view.reload()

    def snapshot() -> dict[str, Any]:
        rows = {}
        for row in range(view.model.rowCount()):
            status = view.model.row_at(row).status
            index = view.model.index(row, view.model.STATE_COLUMN)
            rows[str(status.account_id)] = {
                **_cells(view.model, row),
                "state_tooltip": index.data(Qt.ItemDataRole.ToolTipRole),
                "state_icon": index.data(Qt.ItemDataRole.DecorationRole) is not None,
                "state_red": index.data(Qt.ItemDataRole.ForegroundRole) is not None,
            }
        return rows

    result: dict[str, Any] = {"platform": QGuiApplication.platformName(),
                              "visible": view.isVisible(), "rows": snapshot(),
                              "summary": view.summary.text()}
    backend.session_lifetime = timedelta(microseconds=1)  # every proven session is old now
    await view.reload()
    result["rows_later"] = snapshot()
    backend.session_lifetime = timedelta(hours=12)
    checks: list[tuple[int, str]] = []
    view.checked.connect(lambda aid, line: checks.append((aid, line)))
    for account_id in (sign_in_id, no_password_id):
        assert view.select_account(account_id)
        before = len(checks)
        _click(view.sign_in_button)
        await until(lambda b=before: view.progress.isVisible() or len(checks) > b,
                     "the check to start")
        busy = {"progress": view.progress.isVisible(),
                "button_enabled": view.sign_in_button.isEnabled(),
                "cell": view.model.index(view.model.row_for(account_id) or 0, 7).data()}
        await until(lambda b=before: len(checks) > b, "the sign-in check", timeout=90)
        result.setdefault("busy", []).append(busy)
    result["checks"] = checks
    result["rows_checked"] = snapshot()
    view.table.resizeColumnsToContents()
    await _grab(view, "accounts")
    assert view.select_account(paused_id)
    result["resume_enabled"] = view.resume_button.isEnabled()
    _click(view.resume_button)
    await until(lambda: "resumed" in view.status.text() or "Not resumed" in view.status.text(),
                 "the resume")
    result["resume_status"] = view.status.text()

    def paused_state() -> object:
        row = view.model.row_for(paused_id)
        return None if row is None else view.model.index(row, view.model.STATE_COLUMN).data()

    # the view reloads after the resume: wait for that reload, not only the status line
    await until(lambda: paused_state() != "Paused by the circuit breaker", "the reload")
    result["rows_resumed"] = snapshot()
    view.close()
    return result


async def first_run(backend: ServiceBackend, executor: ServiceExecutor, settings: Any,
                    import_file: str) -> dict[str, Any]:
    from app.credentials import CredentialStore, mailbox_key, portal_key
    from app.events import EventBus
    from ui.import_dialog import ImportOrdersDialog
    from ui.main_window import MainWindow
    from ui.settings_dialog import SettingsDialog

    window = MainWindow(settings, backend=backend, bus=EventBus())
    await _shown(window)
    await window.start()
    panel = window.first_run.panel
    await until(lambda: panel.state is not None and panel.isVisible(), "the first-run panel")
    result: dict[str, Any] = {
        "platform": QGuiApplication.platformName(),
        "visible": panel.isVisible(), "queue_visible": window.splitter.isVisible(),
        "intro": panel.intro.text(),
        "ticks": {k: t.accessibleDescription() for k, t in panel.ticks.items()},
        "hints_visible": all(h.isVisible() for h in panel.hints.values()),
    }
    await _grab(window, "first_run")

    def settings_dialog() -> SettingsDialog | None:
        found = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
        return found[0] if found else None

    tabs = {}
    for step in ("account", "mailbox"):
        _click(panel.buttons[step])
        await until(settings_dialog, "the settings dialog")
        dialog = settings_dialog()
        assert dialog is not None
        tabs[step] = dialog.tabs.tabText(dialog.tabs.currentIndex())
        if step == "account":  # typed into Add account… and saved for real
            portal = dialog.portal
            _click(portal.add_button)
            await until(lambda p=portal: p.add_dialog is not None and p.add_dialog.isVisible(),
                         "the add account dialog")
            add = portal.add_dialog
            assert add is not None
            result["add_title"] = add.windowTitle()
            add.site_url.setText("https://gobulldogs.evenue.net")
            add.username.setText("box@market.example")
            add.password.setText("portal-secret-1")
            _click(add.save_button)
            await until(lambda p=portal: p.result.text().startswith("Added"), "the account")
            await until(lambda: panel.ticks["account"].accessibleDescription() == "done",
                         "the account step ticked while Settings is open (before the panel's "
                         "own 10 s re-check)", timeout=5)
            result["account_added"] = portal.result.text()
            result["account_listed"] = portal.account.currentText()
            added = portal.current_account()
            result["account_in_keyring"] = added is not None and CredentialStore().get(
                portal_key(str(added.id))) == "portal-secret-1"
        else:  # the mailbox typed into the Mailbox tab and saved for real
            tab = dialog.mailbox
            tab.host.setText("imap.market.example")
            tab.username.setText("transfers@market.example")
            tab.password.setText("imap-secret-1")
            _click(tab.save_button)
            await until(lambda t=tab: "Saved to" in t.result.text(), "the mailbox saved")
            result["mailbox_saved"] = tab.result.text()
        dialog.reject()
        await until(lambda: settings_dialog() is None, "the settings dialog to close")
        await until(lambda s=step: panel.ticks[s].accessibleDescription() == "done",
                     f"step {step} ticked")
    result["tabs"] = tabs
    result["mailbox_in_keyring"] = CredentialStore().get(mailbox_key("transfers")) is not None
    result["ticks_two_done"] = {k: t.accessibleDescription() for k, t in panel.ticks.items()}
    result["still_visible"] = panel.isVisible()
    _click(panel.buttons["orders"])
    await until(lambda: window.import_dialog is not None and window.import_dialog.isVisible(),
                 "the import dialog")
    importer = window.import_dialog
    assert isinstance(importer, ImportOrdersDialog)
    result["import_title"] = importer.windowTitle()
    await importer.preview(Path(import_file))
    _click(importer.import_button)
    await until(lambda: importer.summary.text().startswith("Imported"), "the import")
    importer.reject()
    await until(lambda: not panel.isVisible(), "the panel to go away", timeout=20)
    result["gone"] = not panel.isVisible()
    result["queue_visible_after"] = window.splitter.isVisible()
    window.close()
    await until(lambda: window.shutdown is not None and window.shutdown.finished.is_set(),
                 "the window to close", timeout=60)
    return result


async def dashboard(backend: ServiceBackend, executor: ServiceExecutor) -> dict[str, Any]:
    from ui.dashboard import DashboardWindow, Period

    window = DashboardWindow(backend, executor, TaskGroup())
    await _shown(window)
    window.period.setCurrentIndex(window.period.findData(Period.TODAY))
    await until(lambda: window.metrics is not None, "the figures")
    metrics = window.metrics
    assert metrics is not None
    bars = window.histogram.series()[0].barSets()[0]  # type: ignore[attr-defined]
    hours = window.hours_chart.series()[0]
    result = {
        "platform": QGuiApplication.platformName(), "visible": window.isVisible(),
        "share": window.share_label.text(), "percentiles": window.percentiles_label.text(),
        "lapses": window.lapses_label.text(), "blocks_label": window.blocks_label.text(),
        "histogram": {unescape(window.histogram.axes()[0].categories()[i]): bars.at(i)  # type: ignore
                      for i in range(bars.count())},
        "hours_total": sum(p.y() for p in hours.points()),  # type: ignore[attr-defined]
        "blocks": [_cells(window.blocks_model, r) for r in range(window.blocks_model.rowCount())],
        "custom_hidden": not window.first_day.isVisible(),
        "painted": not window.grab().isNull(),
    }
    await _grab(window, "dashboard")
    window.period.setCurrentIndex(window.period.findData(Period.CUSTOM))
    result["custom_shown"] = window.first_day.isVisible() and window.apply_button.isVisible()
    window.close()
    return result


async def detail(backend: ServiceBackend, executor: ServiceExecutor,
                 transfer_id: int) -> dict[str, Any]:
    from ui.detail_pane import DetailPane

    pane = DetailPane(backend, executor, TaskGroup())
    pane.account_names = {a.id: a.label or a.username for a in backend.accounts()}
    pane.resize(900, 700)
    await _shown(pane)
    await pane.load(transfer_id)
    timeline = []
    for i in range(pane.timeline.topLevelItemCount()):
        item = pane.timeline.topLevelItem(i)
        timeline.append({"columns": [item.text(c) for c in range(pane.timeline.columnCount())],
                         "icon": not item.icon(0).isNull(), "kind": item.toolTip(0)})
    labels = [label.text() for label in pane.findChildren(QLabel)]
    await _grab(pane, "detail")
    result = {"platform": QGuiApplication.platformName(), "visible": pane.isVisible(),
              "headers": [pane.timeline.headerItem().text(c)
                          for c in range(pane.timeline.columnCount())],
              "timeline": timeline, "labels": labels}
    pane.shutdown()
    pane.close()
    return result


async def drive(argv: list[str]) -> dict[str, Any]:
    command, url, data_dir, *args = argv
    config = Path(args[0]) if command == "first_run" else Path(data_dir) / "none.toml"
    settings = load_settings(config, environ={"TRANSFERDESK_DATA_DIR": data_dir})
    engine = make_engine(url)
    backend = ServiceBackend(engine, "Sam (supervisor)", role=Role.SUPERVISOR.value)
    executor = ServiceExecutor(3)
    try:
        if command == "accounts":
            return await accounts(backend, executor, settings, *map(int, args))
        if command == "first_run":
            return await first_run(backend, executor, settings, args[1])
        if command == "dashboard":
            return await dashboard(backend, executor)
        if command == "detail":
            return await detail(backend, executor, int(args[0]))
        raise SystemExit(f"unknown command {command!r}")
    finally:
        executor.shutdown(wait=True)
        engine.dispose()


if __name__ == "__main__":
    print_result(drive)

