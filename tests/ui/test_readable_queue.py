"""The readable queue's parts: due wordings by width, chip colours and contrast, row tooltips."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from app.desk.api import DEFAULT_VIEW
from app.domain.states import Outcome, Status
from tests.ui.conftest import seed_transfers
from ui.due_display import due_variants, format_due
from ui.labels import seconds_text, step_label
from ui.queue_model import COL_DUE, COLUMNS, DueTextsRole, TransferTableModel
from ui.row_tooltip import deadline_kind, row_tooltip
from ui.status_chip import CHIP_COLOURS, chip_colours, contrast_ratio
from ui.theme import dark_palette

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "variants"), [
    (timedelta(hours=3, minutes=20), ("in 3 h 20 min", "in 3 h", "3 h")),
    (-timedelta(hours=23, minutes=10), ("overdue 23 h 10 min", "overdue 23 h", "-23 h")),
    (timedelta(days=2, hours=4), ("in 2 d 4 h", "in 2 d", "2 d")),
    (timedelta(minutes=40, seconds=30), ("in 40 min", "40 min")),
])
def test_due_wordings_drop_the_least_significant_unit_first(delta, variants) -> None:
    assert due_variants(NOW + delta, NOW) == variants
    assert format_due(NOW + delta, NOW) == variants[0]
    assert due_variants(None, NOW) == () and format_due(None, NOW) == ""


def test_every_chip_is_readable_in_both_variants() -> None:
    assert set(CHIP_COLOURS) == set(Status)
    for status, (light, dark) in CHIP_COLOURS.items():
        for variant in (light, dark):
            assert contrast_ratio(variant.fill, variant.ink) >= 4.5, status
        assert light.fill.lightness() > 200 and dark.fill.lightness() < 110, status


def test_chip_variant_follows_the_palette_lightness(qapp) -> None:
    light_palette = qapp.style().standardPalette()
    assert light_palette.color(QPalette.ColorRole.Base).lightness() > 128
    for status in Status:
        assert chip_colours(status, light_palette) == CHIP_COLOURS[status][0]
        assert chip_colours(status, dark_palette()) == CHIP_COLOURS[status][1]


def test_step_and_duration_words() -> None:
    assert step_label("sign_in") == "Sign in" and step_label("open_account_page") == \
        "Open account page"
    assert seconds_text(2.34) == "2.3 s" and seconds_text(65) == "1 min 05 s"
    assert seconds_text(3720) == "1 h 02 min"


def test_every_cell_of_a_row_has_the_full_tooltip(engine, backend, account_id) -> None:
    seed_transfers(engine, 3, account_id)
    rows = backend.queue_page(DEFAULT_VIEW, None, 10).rows
    held = replace(rows[0], claimed_by="desk-2", lease_until=NOW + timedelta(minutes=5),
                   last_outcome=Outcome.PORTAL_ERROR, attempts=2)
    model = TransferTableModel(now=lambda: NOW)
    model.set_rows([held, *rows[1:]], False)
    model.set_account_names({account_id: "Main account"})
    tips = {model.index(0, c).data(Qt.ItemDataRole.ToolTipRole) for c in range(len(COLUMNS))}
    assert len(tips) == 1, "the same full values whichever cell is hovered"
    [tip] = tips
    assert tip == row_tooltip(held, NOW, "Main account")
    lines = tip.splitlines()
    assert lines[0] == f"{held.order_ref}: awaiting notice"
    assert lines[1].startswith("Due: ") and deadline_kind(held) == "accept window closes"
    assert "accept window closes" in lines[1]
    assert f"Event: {held.event_name}" in lines[2]
    assert lines[3].startswith(f"Seats: Sec {held.section}, Row {held.row}, Seats ")
    assert "Account: Main account" in lines
    assert any(line.startswith("Held by: desk-2 until ") for line in lines)
    assert "Last outcome: Portal error (attempt 2)" in lines
    assert tuple(model.index(0, COL_DUE).data(DueTextsRole)) == due_variants(held.due_at, NOW)
