"""Drive the teach flow in a REAL window (run under Xvfb with QT_QPA_PLATFORM=xcb).

``python -m tests.ui.teach_window_driver DATABASE_URL [SCREENSHOT.png]`` opens the Notices view
on the database, selects the first review-list notice, opens the teach panel, selects values in
the rendered notice with the text cursor, assigns them with real mouse clicks, previews, saves,
and prints one JSON line with what the window showed. Used by tests/ui/test_teach_window.py and
docs/img/mail/make_teach_screenshot.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from tests.ui.settle import settle_paint
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.notices_view import NoticesView
from ui.teach_template import TeachTemplatePanel

MARKS = (("event_name", "Bulldogs vs. Gators"), ("section", "12"), ("row", "5"),
         ("seats", "3-4"), ("transfer_ref", "BD-1001"))
ANCHORS = {"section": "Block ", "row": "Tier ", "seats": "Places "}


def _select(panel: TeachTemplatePanel, value: str, after: str = "") -> None:
    """Select ``value`` (the first one after ``after``) in the rendered notice."""
    document = panel.browser.document()
    cursor = QTextCursor(document)
    if after:
        cursor = document.find(after, cursor, QTextDocument.FindFlag.FindCaseSensitively)
        position = cursor.selectionEnd()
        cursor = QTextCursor(document)
        cursor.setPosition(position)
    found = document.find(value, cursor, QTextDocument.FindFlag.FindCaseSensitively)
    if found.isNull():
        raise SystemExit(f"{value!r} not in the rendered notice")
    panel.browser.setTextCursor(found)


def _click(widget: Any) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


async def _until(predicate: Any, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.02)


async def drive(database_url: str, screenshot: str | None) -> dict[str, Any]:
    """The flow, as an operator would do it; returns what the window showed."""
    engine = make_engine(database_url)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    view = NoticesView(ServiceBackend(engine, actor_name="Dana (desk 3)"), executor, tasks)
    view.resize(700, 500)
    view.show()
    await view.reload()
    view.notices.selectRow(0)
    _click(view.teach_button)
    await _until(lambda: view.teach_panel is not None and view.teach_panel.isVisible()
                 and "Matchup" in view.teach_panel.browser.toPlainText())
    panel = view.teach_panel
    assert panel is not None
    panel.move(40, 20)
    for name, value in MARKS:
        _select(panel, value, ANCHORS.get(name, ""))
        panel.field.setCurrentIndex(panel.field.findData(name))
        _click(panel.assign_button)
    assigned = [f"{value.label}: {value.text}" for value in panel.assigned_model.rows()]
    _click(panel.preview_button)
    await _until(lambda: panel.save_button.isEnabled())
    preview = panel.preview_label.text()
    changes = [" ".join(str(panel.changes_model.index(r, c).data())
                        for c in range(panel.changes_model.columnCount()))
               for r in range(panel.changes_model.rowCount())]
    if screenshot:
        _select(panel, "3-4")
        settle_paint()
        panel.grab().save(screenshot)
    _click(panel.save_button)
    await _until(lambda: panel.status.text().startswith("Saved"))
    await view.reload()
    result = {"window_system": QApplication.platformName(), "assigned": assigned,
              "preview": preview, "changes": changes, "saved": panel.status.text(),
              "review_left": view.notices_model.rowCount(), "visible": panel.isVisible()}
    executor.shutdown(wait=True)
    engine.dispose()
    return result


def main() -> int:
    """Run the flow in a QApplication on the current display and print the JSON result."""
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    screenshot = sys.argv[2] if len(sys.argv) > 2 else None
    with loop:
        result = loop.run_until_complete(drive(sys.argv[1], screenshot))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
