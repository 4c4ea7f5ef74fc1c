"""The end of a batch: how many were accepted, need review, were blocked (and the rest), each
transfer a link that asks the desk to select it in the queue.

Owns the summary widget only; the groups and counts are the core's
:class:`automation.runs.batch.BatchSummary`, as given.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from automation.runs.batch import BatchGroup, BatchLine, BatchSummary
from ui.labels import BATCH_GROUP_LABELS, OUTCOME_LABELS, seconds_text
from ui.widgets import named

#: Always counted in the headline, even at zero (what staff look for first).
HEADLINE_GROUPS = (BatchGroup.ACCEPTED, BatchGroup.NEEDS_REVIEW, BatchGroup.BLOCKED)
LINK_STYLE = ("QPushButton { color: palette(link); text-decoration: underline; border: none;"
              " text-align: left; padding: 0 2px; }")


def headline(summary: BatchSummary) -> str:
    """"Batch done in 1 min 05 s: 2 accepted, 1 needs review, 0 blocked, 1 not run"."""
    groups = list(HEADLINE_GROUPS) + [g for g, _ in summary.groups if g not in HEADLINE_GROUPS]
    counts = ", ".join(f"{summary.count(g)} {BATCH_GROUP_LABELS[g].lower()}" for g in groups)
    return f"Batch done in {seconds_text(summary.seconds)}: {counts}"


def line_detail(line: BatchLine) -> str:
    """What happened to one transfer, after its link."""
    if line.result is None:
        return line.not_run
    parts = [OUTCOME_LABELS[line.result.outcome], line.result.detail,
             seconds_text(line.seconds) if line.seconds else ""]
    return " · ".join(part for part in parts if part)


class BatchSummaryView(QWidget):
    """The finished batch, grouped; hidden until a batch ends.

    Signals:
        transfer_requested(int): a transfer's link was activated (select it in the queue).
    """

    transfer_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Batch summary")
        self.headline = named(QLabel(wordWrap=True), "Batch summary headline")
        self._grid = QGridLayout()
        self._grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.headline)
        layout.addLayout(self._grid)
        self.links: list[QPushButton] = []
        self.shown: BatchSummary | None = None  # the summary rendered now
        self.setVisible(False)

    def clear(self) -> None:
        """Forget the previous batch and hide."""
        while (item := self._grid.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.links = []
        self.shown = None
        self.headline.clear()
        self.setVisible(False)

    def show_summary(self, summary: BatchSummary) -> None:
        """Render ``summary``: the headline, then each group's transfers as links."""
        self.clear()
        self.shown = summary
        self.headline.setText(f"<b>{headline(summary)}</b>")
        row = 0
        for group, lines in summary.groups:
            title = QLabel(f"{BATCH_GROUP_LABELS[group]} ({len(lines)})")
            title.setStyleSheet("font-weight: bold")
            self._grid.addWidget(title, row, 0, 1, 2)
            row += 1
            for line in lines:
                self._grid.addWidget(self._link(line), row, 0)
                detail = QLabel(line_detail(line), wordWrap=True)
                self._grid.addWidget(detail, row, 1)
                row += 1
        self.setVisible(True)

    def _link(self, line: BatchLine) -> QPushButton:
        ref, transfer_id = line.item.order_ref, line.item.transfer_id
        link = named(QPushButton(ref), f"Show {ref} in the queue")
        link.setToolTip(f"Select {ref} in the queue")
        link.setFlat(True)
        link.setStyleSheet(LINK_STYLE)
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.clicked.connect(lambda: self.transfer_requested.emit(transfer_id))
        self.links.append(link)
        return link
