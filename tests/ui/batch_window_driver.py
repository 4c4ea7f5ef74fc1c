"""A batch in the run panel in a REAL window (xcb under Xvfb), against the sandbox portal.

``python -m tests.ui.batch_window_driver DATABASE_URL DATA_DIR ID [ID...]`` opens the run panel
wired as the desk wires it (event bus, bridge, the desk's run control, the keyring named by
``TRANSFERDESK_KEYRING_SERVICE``), accepts the transfers as one batch, reads the ETA after each
item, then clicks every link of the summary with the mouse and prints one JSON line: the
summary's groups, the headline, the step log, the ETAs seen and the transfer ids the panel's
``transfer_requested`` signal carried. A takeover request is given up, as an operator without
the time would. Used by tests/ui/test_batch_window.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.config import load_settings
from app.db.engine import make_engine
from app.events import EventBus
from app.services.queue import QueueService
from automation.runs.desk_control import DeskRunControl
from automation.runs.events import TakeoverRequested
from tests.ui.settle import settle_layout, settle_paint
from ui.bridge import EventBridge
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.run_panel import RunPanel


async def drive(url: str, data_dir: Path, ids: list[int]) -> dict[str, Any]:
    """Run the batch and click its summary links; returns what the window showed."""
    engine = make_engine(url)
    rows = QueueService(engine).rows(ids)
    rows.sort(key=lambda row: ids.index(row.id))
    settings = load_settings(data_dir / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(data_dir)})
    bus = EventBus()
    bridge = EventBridge(bus)
    control = DeskRunControl(settings, url, bus, "desk:batch-window")
    executor = ServiceExecutor(2)
    panel = RunPanel(control, executor, TaskGroup())
    panel.resize(900, 900)
    panel.follow(bridge)
    panel.show()
    etas: list[str] = []
    takeovers: list[str] = []
    requested: list[int] = []

    def after_item(*_args: object) -> None:  # a results line: the item ended, ETA updated
        etas.append(panel.eta_label.text())

    def give_up(event: TakeoverRequested) -> None:
        takeovers.append(event.reason)
        QTest.mouseClick(panel.give_up_button, Qt.MouseButton.LeftButton)

    panel.results.model().rowsInserted.connect(after_item)
    bridge.takeover_requested.connect(give_up, Qt.ConnectionType.QueuedConnection)
    panel.transfer_requested.connect(requested.append)
    try:
        results = await panel.run_batch(rows)
        settle_paint()  # the summary is laid out and painted
        panel.scroll_area.ensureWidgetVisible(panel.summary)
        links = list(panel.summary.links)
        for link in links:
            panel.scroll_area.ensureWidgetVisible(link)
            settle_layout()
            QTest.mouseClick(link, Qt.MouseButton.LeftButton)
        summary = panel.summary
        shown = {
            "platform": QGuiApplication.platformName(),
            "outcomes": [r.outcome.value for r in results],
            "statuses": [r.status for r in results],
            "headline": summary.headline.text(),
            "groups": {group.value: [line.item.transfer_id for line in lines]
                       for group, lines in panel_summary_groups(panel)},
            "link_texts": [link.text() for link in links],
            "link_names": [link.accessibleName() for link in links],
            "links_visible": [link.isVisible() for link in links],
            "requested": requested,
            "log": panel.log_view.toPlainText(),
            "etas": etas,
            "takeovers": takeovers,
            "progress": [panel.progress.value(), panel.progress.maximum()],
            "status": panel.status_label.text(),
        }
    finally:
        control.close()
        bridge.close()
        executor.shutdown(wait=True)
        panel.shutdown()
        engine.dispose()
    return shown


def panel_summary_groups(panel: RunPanel) -> Any:
    """The groups the panel's summary rendered (the batch's own summary, kept by the view)."""
    summary = panel.summary.shown
    return summary.groups if summary is not None else ()


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    url, data_dir, ids = sys.argv[1], Path(sys.argv[2]), [int(a) for a in sys.argv[3:]]
    with loop:
        print(json.dumps(loop.run_until_complete(drive(url, data_dir, ids))))


if __name__ == "__main__":
    main()
