"""The unmatched notices table and the table of open transfers a notice may be linked to."""

from __future__ import annotations

from app.domain.records import MailMessageInfo, TransferRow
from ui.models.columns import Column, ColumnTableModel, full_time, short_time, words


def _received_sort(notice: MailMessageInfo) -> float:
    return notice.received_at.timestamp() if notice.received_at is not None else 0.0


class NoticesModel(ColumnTableModel[MailMessageInfo]):
    """Received, subject, sender and why the notice waits (unmatched, ambiguous, …)."""

    COLUMNS = (
        Column("Received", lambda n: short_time(n.received_at), sort=_received_sort,
               tooltip=lambda n: full_time(n.received_at)),
        Column("Subject", lambda n: n.subject, tooltip=lambda n: n.subject),
        Column("From", lambda n: n.from_addr),
        Column("Waiting because", lambda n: n.match_status.replace("_", " "),
               tooltip=lambda n: n.parse_error or n.match_status.replace("_", " ")),
    )


def _seats(row: TransferRow) -> str:
    seats = ", ".join(row.seats)
    return f"Sec {row.section} Row {row.row}, seats {seats}" if seats else f"Sec {row.section}"


class TransferCandidatesModel(ColumnTableModel[TransferRow]):
    """Order, event, seller, seats and status of each open transfer found by the search."""

    COLUMNS = (
        Column("Order", lambda r: r.order_ref),
        Column("Event", lambda r: r.event_name, tooltip=lambda r: f"{r.event_name}, {r.venue}"),
        Column("Seller", lambda r: r.seller_name, tooltip=lambda r: r.seller_email),
        Column("Seats", _seats),
        Column("Status", lambda r: words(r.status)),
    )
