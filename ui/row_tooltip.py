"""A queue row's tooltip: every value of the row in full, one labelled line each.

The queue's columns are narrow and elided; hovering any cell of a row shows its status, the
deadline with its kind and exact time, the event, the seats, who holds it until when and the
last run's outcome. Values are the core's, as given (the deadline kind is whichever of the
row's deadlines its ``due_at`` is).
"""

from __future__ import annotations

from datetime import datetime

from app.domain.records import TransferRow
from app.timeline_words import OUTCOME_PHRASES
from ui.due_display import format_due, local_time
from ui.labels import STATUS_LABELS


def deadline_kind(row: TransferRow) -> str:
    """Which deadline ``row.due_at`` is: "accept window closes", "event starts", ..."""
    kinds = ((row.accept_by, "accept window closes"), (row.event_starts_at, "event starts"),
             (row.hold_expires_at, "buyer's hold expires"))
    return next((kind for at, kind in kinds if at is not None and at == row.due_at), "due")


def _seats(row: TransferRow) -> str:
    seats = ", ".join(row.seats) if row.seats else "?"
    tickets = f" ({row.quantity} ticket{'s' if row.quantity != 1 else ''})" if row.quantity else ""
    return f"Sec {row.section or '?'}, Row {row.row or '?'}, Seats {seats}{tickets}"


def row_tooltip(row: TransferRow, now: datetime, account: str = "") -> str:
    """The full values of ``row`` as lines ("Status: needs review", "Due: ...")."""
    if row.due_at is None:
        due = "no deadline known"
    else:
        due = f"{format_due(row.due_at, now)} ({deadline_kind(row)} {local_time(row.due_at)})"
    event = row.event_name
    if row.event_starts_at is not None:
        event += f", {local_time(row.event_starts_at)}"
    if row.venue:
        event += f", {row.venue}"
    lines = [
        f"{row.order_ref}: {STATUS_LABELS[row.status]}",
        f"Due: {due}",
        f"Event: {event}",
        f"Seats: {_seats(row)}",
        f"Seller: {row.seller_name} <{row.seller_email}>" if row.seller_email
        else f"Seller: {row.seller_name}",
    ]
    if account:
        lines.append(f"Account: {account}")
    if row.claimed_by:
        until = f" until {local_time(row.lease_until)}" if row.lease_until else ""
        lines.append(f"Held by: {row.claimed_by}{until}")
    else:
        lines.append("Held by: nobody")
    if row.last_outcome is not None:
        attempts = f" (attempt {row.attempts})" if row.attempts else ""
        lines.append(f"Last outcome: {OUTCOME_PHRASES[row.last_outcome]}{attempts}")
    else:
        lines.append("Last outcome: no run yet")
    if row.next_attempt_at is not None:
        lines.append(f"Next attempt: {local_time(row.next_attempt_at)}")
    return "\n".join(lines)
