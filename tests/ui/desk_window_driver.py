"""Drive the main window in a REAL X window (run under Xvfb with QT_QPA_PLATFORM=xcb).

``python -m tests.ui.desk_window_driver SCENARIO DATABASE_URL WORK_DIR`` opens the desk on the
database (real backend, change feed and run control; layout in ``WORK_DIR/qsettings``), plays
one scenario with real mouse clicks and key presses, and prints one JSON line with what the
window showed. Used by tests/ui/test_desk_window.py; the window and its moves are
tests/ui/desk_window_kit.py. Scenarios: ``actions`` (every triage command from the toolbar, the
Transfer menu and the context menu; the disabled reasons), ``layout-save`` /
``layout-restore`` (a restart), ``keyboard`` (the triage loop), ``scaled`` (run it with
QT_SCALE_FACTOR=1.5: nothing clipped, dark palette, accessible names) and ``shots``
(docs/img/desktop/shots_actions.py).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAccessible, QDesktopServices, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from app.desk.action_rules import Command
from tests.ui.desk_window_kit import Desk, UrlRecorder, on_qt, until
from ui.main_window import MainWindow
from ui.override_dialog import OverrideDialog
from ui.queue_model import COL_EVENT, COL_ORDER
from ui.theme import apply_theme


async def scenario_actions(desk: Desk) -> dict[str, Any]:
    win = await desk.open(rows=4)
    win.queue.set_query(replace(win.queue.query, statuses=frozenset()))  # ORD-DONE too
    await until(lambda: win.queue.model.rowCount() == 5, "every status")
    urls = UrlRecorder()
    QDesktopServices.setUrlHandler("http", urls, "open")
    result: dict[str, Any] = {"platform": QGuiApplication.platformName(),
                              "visible": win.isVisible(), "reasons": {}, "done": {}}
    await until(lambda: not win.tasks.running("deadline-sweep"), "the deadline sweep")

    # disabled reasons, as the toolbar's tooltips show them
    win.queue.table.clearSelection()
    win.queue.table.setCurrentIndex(win.queue.model.index(-1, -1))
    await desk.settled()
    result["reasons"]["nothing selected"] = desk.shown_tooltip(Command.CLAIM)
    for ref, command in (("ORD-WAIT", Command.ACCEPT), ("ORD-DONE", Command.CLAIM),
                         ("ORD-HELD", Command.CLAIM), ("ORD-NEXT", Command.OPEN_TRACE)):
        await desk.select(ref)
        enabled = win.commands.actions[command].isEnabled()
        result["reasons"][f"{ref} {command.value}"] = (enabled, desk.shown_tooltip(command))

    done: dict[str, list[str]] = {}
    batches: list[int] = []
    win.run_panel.batch_finished.connect(lambda results: batches.append(len(results)))
    ready = "ORD-READY"
    places: list[tuple[str, Callable[[Command], Any]]] = [
        ("toolbar", desk.toolbar_click),
        ("menu", desk.menu_click),
        ("context", lambda c: desk.context_click(c, ready)),
    ]
    for place, click in places:
        seen: list[str] = []
        await desk.select(ready)
        QGuiApplication.clipboard().clear()
        await click(Command.COPY_REF)
        await until(lambda: QGuiApplication.clipboard().text() == ready, "the clipboard")
        seen.append("copy_ref")
        before = len(urls.opened)
        await click(Command.OPEN_LINK)
        await until(lambda b=before: len(urls.opened) > b, "the accept link to open")
        seen.append(f"open_link {urls.opened[-1]}")
        before = len(urls.opened)
        await click(Command.OPEN_TRACE)
        await until(lambda b=before: len(urls.opened) > b, "the trace viewer", timeout=30)
        seen.append(f"open_trace {urls.opened[-1].split('?')[0]}")
        await click(Command.DECIDE)
        await until(lambda: _dialogs(win), "the decision dialog")
        seen.append(f"decide {_dialogs(win)[0].windowTitle()}")
        _dialogs(win)[0].reject()
        await until(lambda: not _dialogs(win), "the dialog to close")
        await click(Command.CLAIM)
        await until(lambda: win.commands.actions[Command.RELEASE].isEnabled(), "claimed")
        seen.append(win.statusBar().currentMessage())
        await click(Command.RELEASE)
        await until(lambda: win.commands.actions[Command.CLAIM].isEnabled(), "released")
        seen.append(win.statusBar().currentMessage())
        runs = len(batches)
        await click(Command.ACCEPT)
        await until(lambda n=runs: len(batches) == n + 1, "the run", timeout=60)
        seen.append(f"accept {win.run_panel.results.item(0).text()}")
        await until(lambda: win.queue.model.row_object(desk.row_of(ready)).status.value
                    == "notice_received", "the released row")
        await desk.select(ready, "ORD-NEXT", "ORD-WAIT")
        runs = len(batches)
        await click(Command.ACCEPT_SELECTED)
        await until(lambda n=runs: len(batches) == n + 1, "the batch", timeout=60)
        seen.append("accept_selected " + " | ".join(
            win.run_panel.results.item(i).text().split(":")[0] for i in range(2)))
        await until(lambda: win.queue.model.row_object(desk.row_of(ready)).status.value
                    == "notice_received", "the released row")
        done[place] = seen
    result["done"] = done
    await desk.close()
    return result


def _dialogs(win: MainWindow) -> list[OverrideDialog]:
    return [d for d in win.findChildren(OverrideDialog) if d.isVisible()]


def _layout_state(win: MainWindow) -> dict[str, Any]:
    header = win.queue.table.horizontalHeader()
    geometry = win.geometry()
    return {"geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
            "splitter": win.splitter.sizes(),
            "order": [header.logicalIndex(v) for v in range(header.count())],
            "event_width": header.sectionSize(COL_EVENT)}


async def scenario_layout_save(desk: Desk) -> dict[str, Any]:
    win = await desk.open(rows=4)
    first_run = _layout_state(win)
    win.setGeometry(60, 50, 1100, 720)
    await until(lambda: win.width() == 1100, "the resize")
    win.splitter.setSizes([700, 400])
    header = win.queue.table.horizontalHeader()
    header.moveSection(header.visualIndex(COL_ORDER), 0)
    header.resizeSection(COL_EVENT, 333)
    saved = _layout_state(win)
    await desk.close()
    return {"first_run": first_run, "saved": saved}


async def scenario_layout_restore(desk: Desk) -> dict[str, Any]:
    win = await desk.open(rows=4)
    restored = _layout_state(win)
    await desk.close()
    return {"restored": restored}


async def scenario_keyboard(desk: Desk) -> dict[str, Any]:
    win = await desk.open(rows=4)
    await until(lambda: not win.tasks.running("deadline-sweep"), "the deadline sweep")
    steps: list[str] = []

    async def key(k: Qt.Key) -> None:
        await on_qt(lambda: QTest.keyClick(QApplication.focusWidget() or win, k))

    def focus() -> str:
        widget = QApplication.focusWidget()
        return widget.accessibleName() if widget is not None else "none"

    table = win.queue.table
    def current() -> str:
        row = win.queue.current_row()
        return row.order_ref if row is not None else "none"

    table.setFocus()  # a view focused by the keyboard makes its first row current
    steps.append(f"focus {current()}")
    await key(Qt.Key.Key_J)
    steps.append(f"J {current()} focus={focus()}")
    focused = table.grab().toImage()
    await key(Qt.Key.Key_Down)
    steps.append(f"Down {current()}")
    await key(Qt.Key.Key_K)
    steps.append(f"K {current()}")
    await key(Qt.Key.Key_Return)
    await until(lambda: win.tabs.currentWidget() is win.detail, "Enter")
    steps.append(f"Enter tab={win.tabs.tabText(win.tabs.currentIndex())} focus={focus()}")
    unfocused = table.grab().toImage()
    await key(Qt.Key.Key_Escape)
    steps.append(f"Esc focus={focus()}")
    await key(Qt.Key.Key_Slash)
    steps.append(f"/ focus={focus()}")
    await on_qt(lambda: QTest.keyClicks(QApplication.focusWidget(), "ORD-NEXT"))
    await key(Qt.Key.Key_Return)
    await until(lambda: win.queue.model.rowCount() == 1 and win.queue.current_row() is not None
                and win.queue.current_row().order_ref == "ORD-NEXT",  # type: ignore[union-attr]
                lambda: f"the search ({win.queue.search_edit.text()!r}, "
                f"{win.queue.model.rowCount()} rows, {win.queue.current_row()}, {focus()})")
    await desk.settled()
    steps.append(f"Return rows={win.queue.model.rowCount()} focus={focus()}")
    await key(Qt.Key.Key_C)
    await until(lambda: win.commands.actions[Command.RELEASE].isEnabled(), "C")
    steps.append(f"C {win.statusBar().currentMessage()}")
    await key(Qt.Key.Key_R)
    await until(lambda: win.commands.actions[Command.CLAIM].isEnabled(), "R")
    steps.append(f"R {win.statusBar().currentMessage()}")
    await key(Qt.Key.Key_A)
    await until(lambda: win.run_panel.results.count() == 1 and not win.run_panel.running,
                "A", timeout=60)
    steps.append(f"A tab={win.tabs.tabText(win.tabs.currentIndex())}")
    await until(lambda: win.commands.actions[Command.DECIDE].isEnabled(), "the run's end")
    await key(Qt.Key.Key_O)
    await until(lambda: _dialogs(win), "O")
    dialog = _dialogs(win)[0]
    steps.append(f"O {dialog.windowTitle()}")
    await on_qt(lambda: QTest.keyClick(dialog, Qt.Key.Key_Escape))
    await until(lambda: not _dialogs(win), "Esc in the dialog")
    win.activateWindow()
    await until(win.isActiveWindow, "the window again")
    table.setFocus()
    await key(Qt.Key.Key_2)
    await until(lambda: win.queue.view_box.currentText() == "Needs review", "2")
    steps.append(f"2 view={win.queue.view_box.currentText()}")
    await key(Qt.Key.Key_1)
    await until(lambda: win.queue.view_box.currentText() == "All open", "1")
    steps.append(f"1 view={win.queue.view_box.currentText()}")
    await desk.close()
    return {"steps": steps, "focus_visible": focused != unfocused}


async def scenario_scaled(desk: Desk) -> dict[str, Any]:
    win = await desk.open(rows=4)
    await desk.select("ORD-READY")
    toolbar = win.toolbar
    assert toolbar is not None
    clipped = []
    for command, action in win.commands.actions.items():
        button = toolbar.widgetForAction(action)
        inside = toolbar.rect().contains(button.geometry())
        if not (button.isVisible() and inside):
            clipped.append(command.value)
    extension = [b for b in toolbar.findChildren(QAbstractButton)
                 if b.objectName() == "qt_toolbar_ext_button" and b.isVisible()]
    too_small = [w.accessibleName() for w in (win.queue.view_box, win.queue.status_box,
                                              win.queue.account_box, win.queue.due_box,
                                              win.queue.search_edit)
                 if w.width() < w.minimumSizeHint().width()]
    search, count = win.queue.search_edit, win.queue.count_label
    metrics = search.fontMetrics()
    # what staff type: a live order ref, a seller's full name (room left of the clear button)
    samples = ("LIVE-1764604800-00012", "Priya Thompson-Martinez")
    screen = win.screen().availableGeometry()
    unnamed = [f"{type(w).__name__}:{w.objectName()}" for w in _controls(win)
               if not _spoken_name(w)]
    result = {
        "ratio": win.devicePixelRatio(), "clipped": clipped, "extension_shown": bool(extension),
        "too_small": too_small, "unnamed": unnamed,
        "search_room": search.width() - search.height() - 8,
        "count_shown": (count.width() >= count.fontMetrics().horizontalAdvance(count.text())
                        and not count.geometry().intersects(search.geometry())),
        "sample_width": max(metrics.horizontalAdvance(text) for text in samples),
        "screen": [screen.width(), screen.height()],
        "fits_screen": screen.contains(win.frameGeometry()),
        "geometry": [win.frameGeometry().getRect(), screen.getRect(), win.minimumWidth()],
        "at_least_minimum": (win.width() >= win.minimumSizeHint().width()
                             and win.height() >= win.minimumSizeHint().height()),
        "dark": win.palette().window().color().lightness() < 100,
        "text_light": win.palette().text().color().lightness() > 150,
    }
    await desk.close()
    return result


def _spoken_name(widget: QWidget) -> str:
    """The name a screen reader announces (the accessible name, else a label's own text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def _controls(win: MainWindow) -> list[QWidget]:
    """Every visible control staff can focus in the toolbar, filters, queue and detail."""
    roots: list[QWidget] = [win.queue, win.detail]
    if win.toolbar is not None:
        roots.append(win.toolbar)
    found: list[QWidget] = []
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            if (widget.isVisible() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
                    and widget.objectName() != "qt_toolbar_ext_button"
                    and not widget.objectName().startswith("qt_scrollarea")):
                found.append(widget)
    return found


async def scenario_shots(desk: Desk) -> dict[str, Any]:
    """docs/img/desktop/shots_actions.py's screens, grabbed into WORK_DIR/shots."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "img" / "desktop"))
    import shots_actions

    win = await desk.open(rows=4)
    out = desk.work / "shots"
    out.mkdir()
    sizes: dict[str, list[int]] = {}

    def shot(widget: QWidget, name: str) -> None:
        image = widget.grab().toImage()
        image.save(str(out / f"{name}.png"))
        sizes[name] = [image.width(), image.height()]

    await shots_actions.shoot_transfer_menu(win, shot)
    await shots_actions.shoot_disabled_reason(win, shot)
    status = win.statusBar().currentMessage()
    await desk.close()
    return {"sizes": sizes, "status": status}


SCENARIOS = {"actions": scenario_actions, "layout-save": scenario_layout_save,
             "layout-restore": scenario_layout_restore, "keyboard": scenario_keyboard,
             "scaled": scenario_scaled, "shots": scenario_shots}


def main() -> int:
    scenario, url, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("TransferDesk-tests")
    app.setApplicationName("TransferDesk-window-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(work / "qsettings"))
    apply_theme(app, force_dark=scenario == "scaled")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(SCENARIOS[scenario](Desk(url, work)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
