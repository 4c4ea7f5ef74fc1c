"""The queue's filter bar: one row when there is room, the search box readable when not."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.filter_bar import SEARCH_MIN_CHARS, FilterBar, search_widths


def _bar(qtbot) -> tuple[QWidget, FilterBar, QLineEdit, list[QComboBox]]:
    """The bar inside a window, as in the queue (a child's minimum is its minimumSizeHint)."""
    boxes = []
    for items in (["All open", "Needs review"], ["Open statuses", "Notice received"],
                  ["All accounts", "Clemson"], ["Any due", "< 3 days"]):
        box = QComboBox()
        box.addItems(items)
        boxes.append(box)
    search = QLineEdit(placeholderText="Search order, event, seller, seats…  (/)")
    search.setClearButtonEnabled(True)
    bar = FilterBar(boxes[:1], boxes[1:], search, [QLabel("12,345 transfers")])
    window = QWidget()
    layout = QVBoxLayout(window)
    layout.addWidget(bar)
    layout.addStretch(1)  # the table's place
    qtbot.addWidget(window)
    window.show()
    return window, bar, search, boxes


def _one_row(search: QLineEdit, boxes: list[QComboBox]) -> bool:
    middle = search.geometry().center().y()
    return all(abs(w.geometry().center().y() - middle) <= 3 for w in boxes)


def test_everything_on_one_row_when_wide(qtbot):
    window, bar, search, boxes = _bar(qtbot)
    window.resize(1400, 120)
    qtbot.waitUntil(lambda: bar.width() > 1300 and _one_row(search, boxes))
    assert bar.moved == []


def test_narrow_bar_moves_the_lowest_priority_filters_first(qtbot):
    window, bar, search, boxes = _bar(qtbot)
    window.resize(1400, 120)
    qtbot.waitUntil(lambda: bar.width() > 1300 and _one_row(search, boxes))
    wide_height = bar.height()
    needed = search.minimumWidth()
    assert needed >= search.fontMetrics().averageCharWidth() * SEARCH_MIN_CHARS
    widths = []
    margins = window.width() - bar.width()
    for width in (900, 700, 520, bar.minimumSizeHint().width()):
        window.resize(width + margins, 120)
        qtbot.waitUntil(lambda w=width: bar.width() == w and search.width() >= needed)
        moved = bar.moved
        assert moved == boxes[len(boxes) - len(moved):]  # due first, then account, status
        widths.append((width, len(moved)))
        assert search.width() >= needed, (width, search.width())
        qtbot.waitUntil(lambda: all(w.width() >= w.minimumSizeHint().width() for w in boxes))
    assert [n for _, n in widths] == sorted(n for _, n in widths)  # narrower: never fewer
    assert widths[-1][1] == 3
    qtbot.waitUntil(lambda: bar.height() > wide_height)  # a second row
    assert abs(boxes[0].geometry().center().y() - search.geometry().center().y()) <= 3


def test_minimum_width_is_the_two_row_layout(qtbot):
    window, bar, search, boxes = _bar(qtbot)
    one_row = sum(w.sizeHint().width() for w in boxes) + search.minimumWidth()
    assert bar.minimumSizeHint().width() < one_row


def test_a_longer_count_moves_a_filter_instead_of_overlapping_the_search(qtbot):
    window, bar, search, boxes = _bar(qtbot)
    (count,) = [w for w in bar.findChildren(QLabel)]
    count.setText("1 transfers")
    window.resize(1400, 120)
    qtbot.waitUntil(lambda: bar.width() > 1300 and _one_row(search, boxes))
    margins = window.width() - bar.width()
    spacing = max(bar.width() - search.width() - count.width() - sum(b.width() for b in boxes),
                  0) // 5
    row = sum(w.sizeHint().width() for w in [*boxes, count]) + spacing * 5
    window.resize(row + search_widths(search)[1] + 1 + margins, 120)  # one row, just
    qtbot.waitUntil(lambda: _one_row(search, boxes))
    assert bar.moved == []
    count.setText("1,234,567+ transfers…")

    def shown() -> bool:
        return (count.width() >= count.fontMetrics().horizontalAdvance(count.text())
                and not count.geometry().intersects(search.geometry()))

    qtbot.waitUntil(shown)
    assert search.width() >= search.minimumWidth()
