"""Every core event has exactly one typed route through the bridge, and none is routed by name.

The published classes are found in the source (every ``<bus>.publish(SomeEvent(...))`` in
app/, automation/ and ui/) and by module (every frozen dataclass of the event modules), so a new
event class without a route, or a route to a class nobody publishes, fails here.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
import threading
from pathlib import Path

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.events import EventBus
from ui.bridge import EventBridge

ROOT = Path(__file__).resolve().parents[2]
EVENT_MODULES = ("automation.runs.events", "app.changefeed", "app.mail.events")
#: A class name compared, looked up or kept to compare later (formatting one in a message is fine).
NAME_DISPATCH = re.compile(r"\.__name__\s*(==|!=|in\b|\.)|^\s*\w+\s*=\s*type\(\w+\)\.__name__\s*$"
                           r"|\.endswith\(\"\w*(Alarm|Event)\"\)")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def published_classes() -> set[type]:
    """Classes constructed directly inside a ``.publish(...)`` call anywhere in the product."""
    found: set[type] = set()
    for package in ("app", "automation", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = [
                node.args[0].func.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "publish" and node.args
                and isinstance(node.args[0], ast.Call) and isinstance(node.args[0].func, ast.Name)
            ]
            if names:
                module = importlib.import_module(_module_name(path))
                found.update(getattr(module, name) for name in names)
    return found


def module_events() -> set[type]:
    """Every frozen dataclass of the event modules."""
    found: set[type] = set()
    for name in EVENT_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == name
                    and dataclasses.is_dataclass(value)
                    and value.__dataclass_params__.frozen):  # type: ignore[attr-defined]
                found.add(value)
    return found


def test_published_classes_are_found() -> None:
    names = {cls.__name__ for cls in published_classes()}
    # the scan itself works: producers of every layer are seen
    assert {"TransferChanged", "RunFinished", "NoticeMatched", "EscrowChanged",
            "DeadlineWarningAlarm", "OperatorCodeRequested"} <= names


def test_every_event_class_has_a_route_and_every_route_a_class(qtbot: QtBot) -> None:
    bridge = EventBridge(EventBus())
    routed = set(bridge.routes())
    expected = published_classes() | module_events()
    assert expected - routed == set(), "published but never reaches the desk"
    assert routed - expected == set(), "routed but nothing publishes it"
    bridge.close()


def test_each_event_arrives_on_its_own_signal_on_the_gui_thread(qtbot: QtBot) -> None:
    bus = EventBus()
    bridge = EventBridge(bus)
    routes = bridge.routes()
    received: list[tuple[str, type, bool]] = []
    signals = {id(signal): signal for signal in routes.values()}
    for signal in signals.values():
        name = str(signal)
        signal.connect(lambda event, n=name: received.append(
            (n, type(event), threading.current_thread() is threading.main_thread())))
    events = [object.__new__(cls) for cls in routes]  # fields are not read on the way
    publisher = threading.Thread(target=lambda: [bus.publish(e) for e in events])
    publisher.start()
    publisher.join()
    qtbot.waitUntil(lambda: len(received) >= len(events), timeout=5000)
    assert [(kind, on_gui) for _name, kind, on_gui in received] == [
        (type(e), True) for e in events]
    assert [name for name, _kind, _gui in received] == [str(routes[type(e)]) for e in events]
    bridge.close()
    bus.publish(events[0])
    flushed: list[bool] = []  # posted after anything the publish queued, so delivered after it
    QTimer.singleShot(0, lambda: flushed.append(True))
    qtbot.waitUntil(lambda: bool(flushed), timeout=5000)
    assert len(received) == len(events), "closed: nothing more arrives"


def test_no_event_is_dispatched_by_class_name() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in (ROOT / "ui").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAME_DISPATCH.search(line)
    ]
    assert offenders == []


def test_events_still_queued_when_the_bridge_closes_are_dropped(qtbot: QtBot) -> None:
    """A closing window's bridge: an event published just before close (already queued to the
    GUI thread) must not reach a widget whose background work was just cancelled."""
    from app.changefeed import QueueResync

    bus = EventBus()
    bridge = EventBridge(bus)
    received: list[object] = []
    bridge.transfer_changed.connect(received.append)
    bus.publish(QueueResync("reconnected"))  # queued: delivered from the event loop
    bridge.close()
    flushed: list[bool] = []
    QTimer.singleShot(0, lambda: flushed.append(True))
    qtbot.waitUntil(lambda: bool(flushed), timeout=5000)
    assert received == []
