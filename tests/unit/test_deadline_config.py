"""``[deadlines]`` in config.toml, lead-time parsing and which warnings are due (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import load_settings
from app.domain.deadlines import (
    DEFAULT_WARN_BEFORE,
    DeadlineKind,
    Deadlines,
    due_warnings,
    format_lead,
    format_left,
    parse_duration,
)
from app.errors import ConfigError

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(tmp_path / "none.toml", environ={})
    assert settings.deadlines.warn_before == DEFAULT_WARN_BEFORE == (24 * H, 4 * H, H)
    assert settings.deadlines.sweep_interval == 30.0


def test_configured_lead_times_are_sorted_and_deduplicated(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[deadlines]\nwarn_before = ["1h", "48h", "90m", "60m"]\nsweep_interval = 10\n')
    settings = load_settings(path, environ={})
    assert settings.deadlines.warn_before == (48 * H, timedelta(minutes=90), H)
    assert settings.deadlines.sweep_interval == 10.0


@pytest.mark.parametrize(("body", "message"), [
    ('warn_before = ["soon"]', "not a duration"),
    ('warn_before = "24h"', "must be a list"),
    ('warn_before = ["0h"]', "longer than zero"),
    ("sweep_interval = 600", "1 to 60 seconds"),
    ("sweep_interval = true", "1 to 60 seconds"),
    ("lead = 3", "unknown key(s) lead"),
])
def test_bad_values_get_one_clear_line(tmp_path, body, message):
    path = tmp_path / "config.toml"
    path.write_text(f"[deadlines]\n{body}\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_settings(path, environ={})
    assert "\n" not in str(info.value) and "[deadlines]" in str(info.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("24h", 24 * H), ("90m", timedelta(minutes=90)), ("1h30m", timedelta(minutes=90)),
    ("2d", 48 * H), ("45s", timedelta(seconds=45)), (" 4 h ", 4 * H),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "h", "4", "4x", "-1h", "1h-", "1.5h"])
def test_not_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_tightest_crossed_lead_per_deadline_and_none_after_it():
    deadlines = Deadlines(accept_by=NOW + 3 * H, event_starts_at=NOW + 30 * H,
                          hold_expires_at=NOW - H)
    due = due_warnings(deadlines, NOW, DEFAULT_WARN_BEFORE)
    assert [(d.kind, d.lead) for d in due] == [(DeadlineKind.ACCEPT_BY, 4 * H)]
    later = due_warnings(deadlines, NOW + 6 * H + timedelta(minutes=1), DEFAULT_WARN_BEFORE)
    assert [(d.kind, d.lead) for d in later] == [(DeadlineKind.EVENT_START, 24 * H)]
    assert due_warnings(Deadlines(), NOW, DEFAULT_WARN_BEFORE) == []


def test_formats():
    assert [format_lead(x) for x in (24 * H, timedelta(minutes=90), 48 * H)] == [
        "24h", "1h30m", "48h"]
    assert format_left(timedelta(minutes=239)) == "3h 59m"
    assert format_left(timedelta(minutes=12)) == "12m"
    assert format_left(timedelta(hours=52)) == "2d 4h"
