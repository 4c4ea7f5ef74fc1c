"""The marketplace's side of the inbox, as the demo and tests play it: insert a row as
``transferdesk_intake`` and read its answer (what a marketplace backend does in SQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select, text

from app.db.models_marketplace import OrderInbox
from app.intake.service import INBOX_FIELDS


def submit_order(engine: Engine, **fields: Any) -> int:
    """INSERT one inbox row as the intake role; its id.

    Raises:
        ValueError: a field the inbox does not have.
    """
    unknown = sorted(set(fields) - set(INBOX_FIELDS))
    if unknown:
        raise ValueError(f"not inbox columns: {', '.join(unknown)}")
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
        return int(conn.execute(insert(OrderInbox).values(**fields)
                                .returning(OrderInbox.id)).scalar_one())


def answer(engine: Engine, row_id: int) -> tuple[str, int | None, str | None]:
    """``(status, transfer_id, reason)`` of one inbox row, read as the intake role."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
        row = conn.execute(select(OrderInbox.status, OrderInbox.transfer_id, OrderInbox.reason)
                           .where(OrderInbox.id == row_id)).one()
        return str(row.status), row.transfer_id, row.reason
