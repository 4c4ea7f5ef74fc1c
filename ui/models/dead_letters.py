"""The dead letters table: one row per :class:`~app.webhooks.repository.DeadLetter`."""

from __future__ import annotations

from app.webhooks.repository import DeadLetter
from ui.models.columns import NO_VALUE, Column, ColumnTableModel, full_time, short_time


def last_error(letter: DeadLetter) -> str:
    """The last error, with the HTTP status when the error text does not already say it."""
    code = (f" (HTTP {letter.last_status_code})"
            if letter.last_status_code and "HTTP" not in letter.last_error else "")
    return letter.last_error + code


class DeadLettersModel(ColumnTableModel[DeadLetter]):
    """Endpoint, event, order, attempts, when queued, the last error."""

    COLUMNS = (
        Column("Endpoint", lambda d: d.endpoint, tooltip=lambda d: d.endpoint),
        Column("Event", lambda d: d.what),
        Column("Order", lambda d: d.order_ref or NO_VALUE),
        Column("Attempts", lambda d: str(d.attempts), sort=lambda d: d.attempts),
        Column("Queued", lambda d: short_time(d.created_at),
               sort=lambda d: d.created_at.timestamp(),
               tooltip=lambda d: full_time(d.created_at)),
        Column("Last error", last_error, tooltip=last_error),
    )
