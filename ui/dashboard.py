"""The dashboard over a chosen period: automation share, notice to verified, verified per hour,
lapses and blocks per site (docs/metrics.md defines each figure).

Owns the dashboard window and how a period choice becomes a half-open UTC span
(:func:`period_span`); it draws the core's :class:`~app.domain.desk_metrics.DeskMetrics`, fetched
off the GUI thread (a newer choice replaces a load still running).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import Enum
from html import escape

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend, now_utc
from app.domain.desk_metrics import DeskMetrics, SiteBlocks
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.columns import Column, ColumnTableModel
from ui.widgets import named


class Period(Enum):
    """The period chooser's entries (value: the text shown)."""

    TODAY = "Today"
    WEEK = "Last 7 days"
    MONTH = "Last 30 days"
    CUSTOM = "Custom…"


def period_span(choice: Period, now: datetime, first: date | None = None,
                last: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) for ``choice`` at ``now`` (aware); custom: local days ``first``..``last``.

    Today starts at local midnight; 7 and 30 days end now; a custom span covers whole local
    days, both included (a reversed pair is put in order).
    """
    local = now.astimezone()
    if choice is Period.TODAY:
        return datetime.combine(local.date(), time(), local.tzinfo), now
    if choice is Period.WEEK:
        return now - timedelta(days=7), now
    if choice is Period.MONTH:
        return now - timedelta(days=30), now
    a, b = sorted((first or local.date(), last or local.date()))
    start = datetime.combine(a, time()).astimezone()
    return start, datetime.combine(b + timedelta(days=1), time()).astimezone()


def format_minutes(minutes: float | None) -> str:
    """"1 h 05 m", "12 m", "40 s" or "no data"."""
    if minutes is None:
        return "no data"
    if minutes < 1:
        return f"{round(minutes * 60)} s"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} m" if hours else f"{rest} m"


def share_text(metrics: DeskMetrics) -> str:
    """"72 % by automation (18 of 25 verified)" or that nothing was verified."""
    total = metrics.verified_by_automation + metrics.verified_by_hand
    if metrics.automation_share is None:
        return "Nothing verified in this period"
    return (f"<b>{metrics.automation_share:.0%}</b> verified by automation "
            f"({metrics.verified_by_automation:,} of {total:,}; {metrics.verified_by_hand:,} "
            "by hand)")


def percentiles_text(metrics: DeskMetrics) -> str:
    """"p50 12 m · p90 1 h 05 m · p95 2 h 10 m (40 transfers)"."""
    n = metrics.notice_to_verified
    if not n.count:
        return "Notice to verified: no verified transfer with a notice in this period"
    return (f"Notice to verified: p50 <b>{format_minutes(n.p50_minutes)}</b> · "
            f"p90 <b>{format_minutes(n.p90_minutes)}</b> · "
            f"p95 <b>{format_minutes(n.p95_minutes)}</b> ({n.count:,} transfers)")


def lapses_text(metrics: DeskMetrics) -> str:
    """"2 expired before a decision · 1 hold lapsed before capture"."""
    return (f"<b>{metrics.expired:,}</b> expired before a decision · "
            f"<b>{metrics.holds_lapsed:,}</b> hold(s) lapsed before capture")


class SiteBlocksModel(ColumnTableModel[SiteBlocks]):
    """Blocked runs per site, most first (the service's order)."""

    COLUMNS = (
        Column[SiteBlocks]("Site", lambda b: b.site_url),
        Column[SiteBlocks]("Blocked runs", lambda b: f"{b.blocked_runs:,}",
                           sort=lambda b: b.blocked_runs),
        Column[SiteBlocks]("Accounts", lambda b: str(b.accounts), sort=lambda b: b.accounts),
    )


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return chart, view


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _count_axis(top: float) -> QValueAxis:
    """A 0-based axis of whole counts: at most 6 ticks, each a whole number."""
    step = max(1, math.ceil(top / 5))
    axis = QValueAxis()
    axis.setRange(0, step * max(1, math.ceil(top / step)))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")
    return axis


def draw_bars(chart: QChart, labels: Sequence[str], values: Sequence[float]) -> None:
    """Replace ``chart``'s content with one bar per label."""
    _clear(chart)
    bars = QBarSet("count")
    bars.append(list(values))
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(labels))
    axis = _count_axis(max([0.0, *values]))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    series.attachAxis(axis)


def draw_hours(chart: QChart, metrics: DeskMetrics) -> QLineSeries:
    """Verified per UTC hour as a line over local time (every hour, zeros included)."""
    _clear(chart)
    series = QLineSeries()
    for hour in metrics.verified_per_hour:
        series.append(QDateTime.fromSecsSinceEpoch(int(hour.hour.timestamp())).toMSecsSinceEpoch(),
                      hour.verified)
    chart.addSeries(series)
    axis_x = QDateTimeAxis()
    span = metrics.end - metrics.start
    axis_x.setFormat("HH:mm" if span <= timedelta(days=1) else "dd MMM")
    axis_x.setTickCount(7)
    axis_y = _count_axis(max([0, *(h.verified for h in metrics.verified_per_hour)]))
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_x)
    series.attachAxis(axis_y)
    return series


class DashboardWindow(QDialog):
    """Shown with ``.show()``; :meth:`reload` fetches the chosen period's figures."""

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dashboard")
        self.resize(1000, 720)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self.period = named(QComboBox(), "Dashboard period")
        for choice in Period:
            self.period.addItem(choice.value, choice)
        self.period.setCurrentIndex(1)
        self.first_day = named(QDateEdit(QDate.currentDate().addDays(-6)), "Period from",
                               visible=False)
        self.last_day = named(QDateEdit(QDate.currentDate()), "Period to", visible=False)
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.apply_button = named(QPushButton("Show"), "Show period", visible=False)
        self.refresh_button = named(QPushButton("Refresh"), "Refresh dashboard")
        self.span_label = named(QLabel(), "Dashboard span")
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Period:"))
        for widget in (self.period, self.first_day, self.last_day, self.apply_button):
            chooser.addWidget(widget)
        chooser.addWidget(self.span_label, 1)
        chooser.addWidget(self.refresh_button)
        self.share_label = named(QLabel("Loading…"), "Automation share")
        self.percentiles_label = named(QLabel(), "Notice to verified percentiles")
        self.lapses_label = named(QLabel(), "Lapses")
        self.histogram, histogram_view = _chart("Notice to verified (transfers per bucket)")
        self.hours_chart, hours_view = _chart("Verified per hour")
        self.blocks_model = SiteBlocksModel(self)
        self.blocks_table = named(QTableView(), "Blocks per site")
        self.blocks_table.setModel(self.blocks_model)
        self.blocks_table.verticalHeader().hide()
        self.blocks_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.blocks_label = QLabel("<b>Blocks per site</b> (runs the site refused)")
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        for label in (self.share_label, self.percentiles_label, self.lapses_label):
            layout.addWidget(label)
        grid = QGridLayout()
        grid.addWidget(histogram_view, 0, 0, 1, 2)  # full width: nine readable buckets
        grid.addWidget(hours_view, 1, 0)
        blocks = QVBoxLayout()
        blocks.addWidget(self.blocks_label)
        blocks.addWidget(self.blocks_table)
        grid.addLayout(blocks, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid, 1)
        self.metrics: DeskMetrics | None = None
        self.period.currentIndexChanged.connect(self._period_changed)
        self.apply_button.clicked.connect(self.schedule_reload)
        self.refresh_button.clicked.connect(self.schedule_reload)

    def choice(self) -> Period:
        """The period chosen."""
        data = self.period.currentData()
        return data if isinstance(data, Period) else Period.WEEK

    def span(self) -> tuple[datetime, datetime]:
        """The chosen period as [start, end)."""
        return period_span(self.choice(), now_utc(), _day(self.first_day.date()),
                           _day(self.last_day.date()))

    def _period_changed(self) -> None:
        custom = self.choice() is Period.CUSTOM
        for widget in (self.first_day, self.last_day, self.apply_button):
            widget.setVisible(custom)
        self.schedule_reload()

    def schedule_reload(self) -> None:
        """Reload in the background; a newer choice cancels a load still running."""
        self._tasks.spawn(self.reload(), name="dashboard-load")

    async def reload(self) -> DeskMetrics | None:
        """Fetch the chosen period's figures off the GUI thread and redraw."""
        start, end = self.span()
        self.span_label.setText(f"{start.astimezone():%d %b %H:%M} – {end.astimezone():%d %b %H:%M}"
                                " (local time)")
        self.share_label.setText("Loading…")
        try:
            metrics = await self._executor.call(self._backend.metrics, start, end)
        except KnownError as exc:
            self.share_label.setText(f"Cannot show this period: {exc}")
            return None
        self.show_metrics(metrics)
        return metrics

    def show_metrics(self, metrics: DeskMetrics) -> None:
        """Draw ``metrics``."""
        self.metrics = metrics
        self.share_label.setText(share_text(metrics))
        self.percentiles_label.setText(percentiles_text(metrics))
        self.lapses_label.setText(lapses_text(metrics))
        buckets = metrics.notice_to_verified.buckets
        # axis labels are rich text: "< 5 min" must be escaped or it vanishes as a tag
        draw_bars(self.histogram, [escape(b.label) for b in buckets],
                  [float(b.count) for b in buckets])
        draw_hours(self.hours_chart, metrics)
        self.blocks_model.set_rows(metrics.blocks_per_site)
        blocked = sum(b.blocked_runs for b in metrics.blocks_per_site)
        self.blocks_label.setText(f"<b>Blocks per site</b> (runs the site refused): {blocked:,}"
                                  if blocked else "<b>Blocks per site</b>: no site refused a run")


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
