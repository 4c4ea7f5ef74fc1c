"""A small dashboard: verified per day, median notice-to-verified time, run outcomes, statuses.

Owns the dashboard window; it draws the core's :class:`~app.domain.records.DashboardStats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.desk.api import DeskBackend
from app.domain.states import OPEN_STATUSES, Outcome, Status
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.labels import OUTCOME_LABELS, STATUS_LABELS

DAYS = 14


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    return chart, view


def _draw_bars(chart: QChart, labels: Sequence[str], values: Sequence[float]) -> None:
    """Replace ``chart``'s content with one bar per label."""
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    bars = QBarSet("count")
    bars.append(list(values))
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(labels))
    axis = QValueAxis()
    axis.setRange(0, max([1.0, *values]))
    axis.setLabelFormat("%d")
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    series.attachAxis(axis)


def format_minutes(minutes: float | None) -> str:
    """"1 h 05 m", "12 m" or "no data"."""
    if minutes is None:
        return "no data"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} m" if hours else f"{rest} m"


class DashboardWindow(QDialog):
    """Shown with ``.show()``; :meth:`reload` fetches the figures off the GUI thread."""

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dashboard")
        self.resize(960, 640)
        self._backend, self._executor = backend, executor
        self.verified_chart, verified_view = _chart(f"Verified per day (last {DAYS} days, UTC)")
        self.outcome_chart, outcome_view = _chart("Run outcomes by kind")
        self.chart, self.view = _chart("Transfers by status")
        self.summary = QLabel()
        self.median_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.median_label)
        grid = QGridLayout()
        grid.addWidget(verified_view, 0, 0, 1, 2)
        grid.addWidget(outcome_view, 1, 0)
        grid.addWidget(self.view, 1, 1)
        layout.addLayout(grid, 1)
        self.counts: dict[Status, int] = {}
        self.verified_per_day: list[tuple[date, int]] = []
        self.outcomes: dict[Outcome, int] = {}

    async def reload(self) -> None:
        """Fetch the figures and redraw."""
        figures = await self._executor.call(self._backend.dashboard, DAYS)
        self.counts = dict(figures.status_counts)
        self.verified_per_day = list(figures.verified_per_day)
        self.outcomes = dict(figures.outcomes_by_kind)
        _draw_bars(self.verified_chart, [d.strftime("%d %b") for d, _ in self.verified_per_day],
                   [float(n) for _, n in self.verified_per_day])
        kinds = sorted(self.outcomes)
        _draw_bars(self.outcome_chart, [OUTCOME_LABELS[k] for k in kinds] or ["none yet"],
                   [float(self.outcomes[k]) for k in kinds] or [0.0])
        _draw_bars(self.chart, [STATUS_LABELS[s] for s in Status],
                   [float(self.counts.get(s, 0)) for s in Status])
        total = sum(self.counts.values())
        open_count = sum(self.counts.get(s, 0) for s in OPEN_STATUSES)
        verified = sum(n for _, n in self.verified_per_day)
        self.summary.setText(f"<b>{total:,}</b> transfers, <b>{open_count:,}</b> open, "
                             f"<b>{self.counts.get(Status.NEEDS_REVIEW, 0):,}</b> need review, "
                             f"<b>{verified:,}</b> verified in {DAYS} days")
        self.median_label.setText("Median time from notice to verified: <b>"
                                  f"{format_minutes(figures.median_minutes_to_verified)}</b>")
