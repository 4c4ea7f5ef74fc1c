"""A small dashboard: transfers per status (a bar chart) and open alarms."""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from ui.backend import ALL_STATUSES
from ui.db_executor import ServiceExecutor, TaskGroup


class DashboardWindow(QDialog):
    """Shown with ``.show()``; :meth:`reload` fetches the figures off the GUI thread."""

    def __init__(self, backend: Any, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dashboard")
        self.resize(720, 420)
        self._backend, self._executor = backend, executor
        self.chart = QChart()
        self.chart.setTitle("Transfers by status")
        self.chart.legend().hide()
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.counts: dict[str, int] = {}

    async def reload(self) -> None:
        """Fetch the counts and redraw."""
        figures = await self._executor.call(self._backend.dashboard, 14)
        self.counts = dict(figures.status_counts)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        bars = QBarSet("transfers")
        bars.append([float(self.counts.get(s, 0)) for s in ALL_STATUSES])
        series = QBarSeries()
        series.append(bars)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([s.replace("_", " ") for s in ALL_STATUSES])
        values = QValueAxis()
        values.setRange(0, max([1, *self.counts.values()]))
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        total = sum(self.counts.values())
        open_count = sum(self.counts.get(s, 0) for s in ALL_STATUSES[:4])
        self.summary.setText(f"<b>{total:,}</b> transfers, <b>{open_count:,}</b> open, "
                             f"<b>{self.counts.get('needs_review', 0):,}</b> need review")

