"""The queue's Status column as a coloured chip with an icon, readable in light and dark mode.

Owns the chip colours (a light and a dark variant per status, picked by the lightness of the
view's palette; every pair keeps a WCAG contrast of at least 4.5:1), the icons (drawn with
QPainter paths, so they are sharp at any scaling) and :class:`StatusChipDelegate`.
:func:`install_queue_delegates` puts the chip and the narrow-aware Due text on a queue table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from app.domain.records import TransferRow
from app.domain.states import Status
from ui.due_display import DueDelegate
from ui.labels import STATUS_LABELS
from ui.queue_model import COL_DUE, COL_STATUS, DueTextsRole, RowRole

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ChipColours:
    """A chip's fill and its text/icon colour."""

    fill: QColor
    ink: QColor


def _pair(fill: str, ink: str) -> ChipColours:
    return ChipColours(QColor(fill), QColor(ink))


#: status -> (light variant, dark variant)
CHIP_COLOURS: dict[Status, tuple[ChipColours, ChipColours]] = {
    Status.AWAITING_NOTICE: (_pair("#eceff1", "#37474f"), _pair("#3b4a52", "#eceff1")),
    Status.NOTICE_RECEIVED: (_pair("#e3f2fd", "#0d47a1"), _pair("#0d3a66", "#d6e9ff")),
    Status.ACCEPTING: (_pair("#ede7f6", "#4527a0"), _pair("#3b2a72", "#e6dcff")),
    Status.NEEDS_REVIEW: (_pair("#fff3e0", "#8a3c00"), _pair("#6a3500", "#ffe0b8")),
    Status.VERIFIED: (_pair("#e8f5e9", "#1b5e20"), _pair("#1e4d23", "#d4f5d6")),
    Status.REJECTED: (_pair("#ffebee", "#b71c1c"), _pair("#6d1b1b", "#ffd9d9")),
    Status.EXPIRED: (_pair("#efebe9", "#4e342e"), _pair("#4e3a33", "#f1e4de")),
}


def is_dark_palette(palette: QPalette) -> bool:
    """True when the palette's base (the table's background) is dark."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def chip_colours(status: Status, palette: QPalette) -> ChipColours:
    """The chip colours of ``status`` for a view painted with ``palette``."""
    light, dark = CHIP_COLOURS[status]
    return dark if is_dark_palette(palette) else light


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1.0 to 21.0)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- icons: drawn in a unit square (0..1), stroked in the chip's ink ------------------------
def _hourglass(path: QPainterPath) -> None:
    for y0, y1 in ((0.1, 0.5), (0.9, 0.5)):
        path.moveTo(0.2, y0)
        path.lineTo(0.8, y0)
        path.lineTo(0.5, y1)
        path.closeSubpath()


def _envelope(path: QPainterPath) -> None:
    path.addRect(QRectF(0.08, 0.22, 0.84, 0.56))
    path.moveTo(0.08, 0.22)
    path.lineTo(0.5, 0.55)
    path.lineTo(0.92, 0.22)


def _play(path: QPainterPath) -> None:
    path.moveTo(0.25, 0.12)
    path.lineTo(0.85, 0.5)
    path.lineTo(0.25, 0.88)
    path.closeSubpath()


def _attention(path: QPainterPath) -> None:
    path.addEllipse(QRectF(0.08, 0.08, 0.84, 0.84))
    path.moveTo(0.5, 0.25)
    path.lineTo(0.5, 0.56)
    path.moveTo(0.5, 0.72)
    path.lineTo(0.5, 0.75)


def _check(path: QPainterPath) -> None:
    path.moveTo(0.12, 0.52)
    path.lineTo(0.4, 0.8)
    path.lineTo(0.9, 0.2)


def _cross(path: QPainterPath) -> None:
    path.moveTo(0.18, 0.18)
    path.lineTo(0.82, 0.82)
    path.moveTo(0.82, 0.18)
    path.lineTo(0.18, 0.82)


def _clock(path: QPainterPath) -> None:
    path.addEllipse(QRectF(0.08, 0.08, 0.84, 0.84))
    path.moveTo(0.5, 0.22)
    path.lineTo(0.5, 0.5)
    path.lineTo(0.7, 0.62)


ICONS: dict[Status, Callable[[QPainterPath], None]] = {
    Status.AWAITING_NOTICE: _hourglass,
    Status.NOTICE_RECEIVED: _envelope,
    Status.ACCEPTING: _play,
    Status.NEEDS_REVIEW: _attention,
    Status.VERIFIED: _check,
    Status.REJECTED: _cross,
    Status.EXPIRED: _clock,
}


def draw_status_icon(painter: QPainter, status: Status, box: QRectF, ink: QColor) -> None:
    """Stroke the icon of ``status`` into ``box`` (a square) in ``ink``."""
    path = QPainterPath()
    ICONS[status](path)
    painter.save()
    painter.translate(box.topLeft())
    painter.scale(box.width(), box.height())
    pen = QPen(ink, max(1.4, box.width() / 7) / box.width())
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


class StatusChipDelegate(QStyledItemDelegate):
    """Paints a transfer's status as a rounded chip: icon, then its label.

    When the column is too narrow for the label, the chip keeps the icon alone (the row's
    tooltip names the status). Reads the row object (a :class:`TransferRow`: its status stays
    an enum, which a QVariant would turn into a plain string) from ``row_role``.
    """

    PAD = 6
    GAP = 4

    def __init__(self, row_role: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._role = row_role

    def _status(self, index: Index) -> Status | None:
        row = index.data(self._role)
        return row.status if isinstance(row, TransferRow) else None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The cell's usual background (selection, hover), then the chip."""
        status = self._status(index)
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = view_option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option, painter, widget)
        if status is None:
            return
        colours = chip_colours(status, view_option.palette)
        metrics = view_option.fontMetrics
        cell = QRectF(view_option.rect).adjusted(3, 2, -3, -2)
        height = min(cell.height(), metrics.height() + 4.0)
        icon = height - 6.0
        label = STATUS_LABELS[status]
        width = self.PAD * 2 + icon + self.GAP + metrics.horizontalAdvance(label)
        with_label = width <= cell.width()
        if not with_label:
            width = self.PAD * 2 + icon
        chip = QRectF(cell.left(), cell.center().y() - height / 2, min(width, cell.width()),
                      height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours.fill)
        painter.drawRoundedRect(chip, height / 2, height / 2)
        icon_box = QRectF(chip.left() + self.PAD, chip.top() + 3, icon, icon)
        draw_status_icon(painter, status, icon_box, colours.ink)
        if with_label:
            painter.setPen(colours.ink)
            painter.setFont(view_option.font)
            text_box = QRectF(QPointF(icon_box.right() + self.GAP, chip.top()),
                              QPointF(chip.right() - self.PAD, chip.bottom()))
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter, label)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Room for the icon and the full label."""
        status = self._status(index)
        base = super().sizeHint(option, index)
        if status is None:
            return base
        metrics = option.fontMetrics
        width = (self.PAD * 2 + metrics.height() + self.GAP
                 + metrics.horizontalAdvance(STATUS_LABELS[status]) + 6)
        return QSize(width, max(base.height(), metrics.height() + 8))


def install_queue_delegates(table: QTableView) -> None:
    """Paint the queue table's Status column as chips and its Due column narrow-aware."""
    table.setItemDelegateForColumn(COL_STATUS, StatusChipDelegate(int(RowRole), table))
    table.setItemDelegateForColumn(COL_DUE, DueDelegate(int(DueTextsRole), table))
