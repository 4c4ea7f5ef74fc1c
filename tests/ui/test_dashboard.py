"""The dashboard over DeskMetricsService: the period chooser, the figures and the charts, on
real verifications and runs in PostgreSQL (the real-window test is in test_views_window.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from tests.ui.views_seed import seed_dashboard
from ui.dashboard import DashboardWindow, Period, format_minutes, period_span
from ui.db_executor import ServiceExecutor, TaskGroup

NOW = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)


def test_format_minutes() -> None:
    assert format_minutes(None) == "no data"
    assert format_minutes(0.5) == "30 s"
    assert format_minutes(12.4) == "12 m"
    assert format_minutes(65) == "1 h 05 m"


def test_period_spans_are_half_open_and_aware() -> None:
    start, end = period_span(Period.TODAY, NOW)
    local = NOW.astimezone()
    assert end == NOW and start.astimezone().date() == local.date()
    assert start.astimezone().time().isoformat() == "00:00:00"
    assert period_span(Period.WEEK, NOW) == (NOW - timedelta(days=7), NOW)
    assert period_span(Period.MONTH, NOW) == (NOW - timedelta(days=30), NOW)
    first, last = date(2026, 3, 1), date(2026, 3, 3)
    start, end = period_span(Period.CUSTOM, NOW, last, first)  # reversed: put in order
    assert start.tzinfo is not None and end.tzinfo is not None
    assert start.astimezone().date() == first and end.astimezone().date() == date(2026, 3, 4)
    assert abs((end - start).total_seconds() - 3 * 86400) <= 3600  # 3 days (± a DST change)


@pytest.fixture
def dashboard(qtbot: QtBot, backend: ServiceBackend) -> Any:
    executor = ServiceExecutor(1)
    window = DashboardWindow(backend, executor, TaskGroup())
    qtbot.addWidget(window)
    yield window
    executor.shutdown(wait=True)


def test_todays_figures_from_seeded_activity(
    run: Callable[..., Any], until: Callable[..., None], engine: Engine, dashboard: Any,
) -> None:
    seed = seed_dashboard(engine)
    dashboard.period.setCurrentIndex(dashboard.period.findData(Period.TODAY))
    until(lambda: dashboard.metrics is not None)
    metrics = dashboard.metrics
    assert metrics.verified_by_automation == seed.by_automation
    assert metrics.verified_by_hand == seed.by_hand
    assert "75%" in dashboard.share_label.text()
    bars = dashboard.histogram.series()[0].barSets()[0]
    assert sum(bars.at(i) for i in range(bars.count())) == len(seed.minutes)
    hours = dashboard.hours_chart.series()[0]
    assert sum(p.y() for p in hours.points()) == 4
    assert dashboard.blocks_model.rowCount() == 1
    assert dashboard.blocks_model.index(0, 1).data() == "2"
    assert "<b>1</b> expired" in dashboard.lapses_label.text()


def test_an_empty_period_says_so(run: Callable[..., Any], dashboard: Any) -> None:
    metrics = run(dashboard.reload())
    assert metrics.automation_share is None
    assert dashboard.share_label.text() == "Nothing verified in this period"
    assert "no verified transfer" in dashboard.percentiles_label.text()
    assert dashboard.blocks_label.text().endswith("no site refused a run")


def test_the_custom_period_shows_its_dates(run: Callable[..., Any], until: Callable[..., None],
                                           dashboard: Any) -> None:
    assert dashboard.first_day.isHidden()
    dashboard.period.setCurrentIndex(dashboard.period.findData(Period.CUSTOM))
    assert not dashboard.first_day.isHidden() and not dashboard.apply_button.isHidden()
    until(lambda: dashboard.metrics is not None)
    span = dashboard.metrics.end - dashboard.metrics.start
    assert timedelta(days=6, hours=23) <= span <= timedelta(days=7, hours=1)  # 7 whole days


def test_demo_data_has_a_realistic_distribution(
    run: Callable[..., Any], database_url: str, dashboard: Any,
) -> None:
    from automation.demo.transfers import insert_demo

    insert_demo(database_url, 600, seed=5)
    metrics = run(dashboard.reload())  # the last 7 days
    assert metrics.verified_by_automation + metrics.verified_by_hand > 50
    assert 0 < metrics.automation_share < 1
    text = dashboard.percentiles_label.text()
    assert re.search(r"p50 <b>(\d+ m|[1-9] h \d\d m)</b>", text), text  # minutes, not days
    assert sum(h.verified for h in metrics.verified_per_hour) == (
        metrics.verified_by_automation + metrics.verified_by_hand)
