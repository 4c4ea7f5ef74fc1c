"""The column-spec table model: header, display, sort value and tooltip per column."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

from ui.models.columns import Column, ColumnTableModel, RowRole, SortRole
from ui.models.teach import AssignedValue, AssignedValuesModel, TemplateChangesModel


@dataclass(frozen=True)
class Seat:
    number: int
    note: str


class SeatsModel(ColumnTableModel[Seat]):
    COLUMNS = (
        Column("Seat", lambda s: f"seat {s.number}", sort=lambda s: s.number),
        Column("Note", lambda s: s.note, tooltip=lambda s: s.note.upper()),
    )


def test_each_role_comes_from_its_column_spec(qtmodeltester):
    model = SeatsModel()
    model.set_rows([Seat(10, "aisle"), Seat(9, "")])
    qtmodeltester.check(model, force_py=True)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["Seat", "Note"]
    first = model.index(0, 0)
    assert first.data() == "seat 10" and first.data(SortRole) == 10
    assert first.data(RowRole) == Seat(10, "aisle") and model.row_at(1) == Seat(9, "")
    assert first.data(Qt.ItemDataRole.ToolTipRole) is None
    note = model.index(0, 1)
    assert note.data(SortRole) == "aisle", "without a sort value the text sorts"
    assert note.data(Qt.ItemDataRole.ToolTipRole) == "AISLE"
    model.set_rows([])
    assert model.rowCount() == 0 and model.index(0, 0).data() is None


def test_the_teach_panels_tables(qtmodeltester):
    assigned = AssignedValuesModel()
    assigned.set_rows([AssignedValue("section", "Section", "12"),
                       AssignedValue("row", "Row", "5")])
    qtmodeltester.check(assigned, force_py=True)
    assert [assigned.index(r, 1).data() for r in range(2)] == ["12", "5"]
    changes = TemplateChangesModel()
    changes.set_rows([(41, "seats", "", "3, 4"), (7, "row", "4", "5")])
    qtmodeltester.check(changes, force_py=True)
    assert [changes.index(0, c).data() for c in range(4)] == ["#41", "seats", "—", "3, 4"]
    assert changes.index(1, 0).data(SortRole) == 7
