"""A desk's run panel wired as the main window wires it: bus, bridge, run control, executor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.config import load_settings
from app.events import EventBus
from automation.runs.desk_control import DeskRunControl
from ui.bridge import EventBridge
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.run_panel import RunPanel


@dataclass
class PanelDesk:
    """The parts of one desk's run panel; :meth:`close` shuts them down in order."""

    panel: RunPanel
    bus: EventBus
    bridge: EventBridge
    control: DeskRunControl
    executor: ServiceExecutor
    tasks: TaskGroup

    def close(self) -> None:
        self.control.close()
        self.bridge.close()
        self.executor.shutdown(wait=True)


def open_panel_desk(qtbot: QtBot, tmp_path: Path, database_url: str, credential_store: Any,
                    display_name: str = "", show: bool = True) -> PanelDesk:
    """A run panel over the real database and keyring (data dir under ``tmp_path``)."""
    environ = {"TRANSFERDESK_DATA_DIR": str(tmp_path / "data")}
    if display_name:
        environ["TRANSFERDESK_DISPLAY_NAME"] = display_name
    settings = load_settings(tmp_path / "none.toml", environ=environ)
    bus = EventBus()
    bridge = EventBridge(bus)
    control = DeskRunControl(settings, database_url, bus, "desk:test", credential_store)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    panel = RunPanel(control, executor, tasks)
    qtbot.addWidget(panel)
    if show:
        panel.show()  # a hidden panel keeps only the newest frame, undecoded
    panel.follow(bridge)
    return PanelDesk(panel, bus, bridge, control, executor, tasks)
