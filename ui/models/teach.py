"""The teach panel's two tables: values assigned to fields, and what a template would change."""

from __future__ import annotations

from dataclasses import dataclass

from ui.models.columns import NO_VALUE, Column, ColumnTableModel

#: One change a template would make: (mail message id, field, value before, value after).
Change = tuple[int, str, str, str]


@dataclass(frozen=True)
class AssignedValue:
    """A field and the text selected for it."""

    field: str
    label: str
    text: str


class AssignedValuesModel(ColumnTableModel[AssignedValue]):
    """Field and selected value, one row per assigned field."""

    COLUMNS = (
        Column("Field", lambda a: a.label),
        Column("Value", lambda a: a.text, tooltip=lambda a: a.text),
    )


class TemplateChangesModel(ColumnTableModel[Change]):
    """Notice, field, before and after for each value the template would read differently."""

    COLUMNS = (
        Column("Notice", lambda c: f"#{c[0]}", sort=lambda c: c[0]),
        Column("Field", lambda c: c[1]),
        Column("Before", lambda c: c[2] or NO_VALUE, tooltip=lambda c: c[2] or NO_VALUE),
        Column("After", lambda c: c[3] or NO_VALUE, tooltip=lambda c: c[3] or NO_VALUE),
    )
