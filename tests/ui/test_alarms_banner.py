"""The alarms banner stays one line per kind, however many alarms are open (offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.records import AlarmInfo
from ui.alarms_banner import SHOWN_PER_KIND, AlarmsBanner


def _alarm(i: int, kind: str, message: str, count: int = 1) -> AlarmInfo:
    now = datetime.now(UTC)
    return AlarmInfo(i, kind, f"key-{i}", message, count, now, now, None, None)


def test_a_backlog_of_warnings_is_one_line_and_the_banner_keeps_its_height(qtbot):
    banner = AlarmsBanner()
    qtbot.addWidget(banner)
    banner.resize(900, 40)
    banner.set_alarms([_alarm(1, "selector_drift", "No selector matched on <State U>")])
    one_kind = banner.sizeHint().height()
    warnings = [_alarm(10 + i, "deadline_warning", f"ORD-{i:04d}: accept by in 3 h")
                for i in range(200)]
    banner.set_alarms([_alarm(1, "selector_drift", "No selector matched on <State U>", 4),
                       *warnings])
    text = banner.label.text()
    assert text.count("<br>") == 1  # two kinds, two lines
    assert "ORD-0000" in text and f"ORD-{SHOWN_PER_KIND:04d}" not in text
    assert f"and {200 - SHOWN_PER_KIND} more" in text
    assert "&lt;State U&gt; (4×)" in text  # messages are escaped, repeats counted
    assert banner.sizeHint().height() < 3 * one_kind  # was one line per alarm: 200 lines
    assert "ORD-0038" in banner.toolTip() and "… and 161 more" in banner.toolTip()
    banner.set_alarms([])
    assert banner.isHidden()
    assert banner.label.text() == ""
