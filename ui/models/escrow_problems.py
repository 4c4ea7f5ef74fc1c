"""The escrow problems table: one row per :class:`~app.escrow.repository.EscrowProblem`."""

from __future__ import annotations

from app.escrow.repository import EscrowProblem
from ui.models.columns import NO_VALUE, Column, ColumnTableModel, full_time, short_time, words


def _amount(problem: EscrowProblem) -> str:
    if problem.amount is None:
        return NO_VALUE
    return f"{problem.amount / 100:,.2f} {problem.currency.upper()}"


def _hold_tooltip(problem: EscrowProblem) -> str:
    return (f"Hold {problem.payment_intent_id or 'not placed'} for {_amount(problem)}; "
            f"lapses {full_time(problem.hold_expires_at)}")


def _lapse_sort(problem: EscrowProblem) -> float:
    lapses = problem.hold_expires_at
    return lapses.timestamp() if lapses is not None else float("inf")  # no hold: last


class EscrowProblemsModel(ColumnTableModel[EscrowProblem]):
    """Order, event, decision, escrow state, attempts, when the hold lapses, the last error."""

    COLUMNS = (
        Column("Order", lambda p: p.order_ref, tooltip=lambda p: f"Transfer {p.transfer_id}"),
        Column("Event", lambda p: p.event_name, tooltip=lambda p: p.event_name),
        Column("Decision", lambda p: words(p.status)),
        Column("Escrow", lambda p: words(p.escrow_status), tooltip=_hold_tooltip),
        Column("Attempts", lambda p: str(p.escrow_attempts), sort=lambda p: p.escrow_attempts,
               tooltip=lambda p: f"next attempt {full_time(p.escrow_next_attempt_at)}"),
        Column("Hold lapses", lambda p: short_time(p.hold_expires_at),
               sort=_lapse_sort,
               tooltip=lambda p: full_time(p.hold_expires_at)),
        Column("Error", lambda p: p.escrow_error or "", tooltip=lambda p: p.escrow_error or ""),
    )
