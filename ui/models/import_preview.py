"""The import preview table: one row per :class:`~app.intake.service.ImportRow` answer."""

from __future__ import annotations

from app.intake.service import ImportRow
from ui.models.columns import Column, ColumnTableModel


class ImportPreviewModel(ColumnTableModel[ImportRow]):
    """Line, order ref, answer, transfer id, reason."""

    COLUMNS = (
        Column("Line", lambda r: str(r.line), sort=lambda r: r.line),
        Column("Order", lambda r: r.order_ref),
        Column("Answer", lambda r: r.status),
        Column("Transfer", lambda r: "" if r.transfer_id is None else str(r.transfer_id),
               sort=lambda r: r.transfer_id or 0),
        Column("Reason", lambda r: r.reason, tooltip=lambda r: r.reason),
    )
