"""How many transfers match a queue filter: exact, or "at least" when counting stopped at a cap.

A search term too short for the trigram index (one or two letters) would make PostgreSQL read
every row to count it; the desk counts such a term only up to :data:`COUNT_CAP` matching rows
and says so ("1,000+ transfers"), never a made-up figure. Owns :class:`QueueCounts` and the
words for a count (:func:`count_text`), which the desk and the command line share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.states import Status

#: Counting stops after this many matching rows (then every figure is a lower bound).
COUNT_CAP = 1000


@dataclass(frozen=True)
class QueueCounts:
    """Rows per status matching a filter but its status part, and the filter's total.

    Attributes:
        by_status: every status; exact, or (``exact`` False) at least this many each.
        total: rows matching the whole filter, status part included.
        exact: ``by_status`` holds exact figures.
        total_exact: ``total`` is exact (False: at least ``total``).
    """

    by_status: Mapping[Status, int]
    total: int
    exact: bool = True
    total_exact: bool = True

    def status_text(self, status: Status) -> str:
        """One status's figure in words: "312" or, when capped, "312+"."""
        return count_text(self.by_status.get(status, 0), self.exact)

    def total_text(self) -> str:
        """The total in words: "1,234 transfers", or "1,000+ transfers" when capped."""
        return f"{count_text(self.total, self.total_exact)} transfers"


def count_text(count: int, exact: bool) -> str:
    """``count`` with thousands separators, and a "+" when it is only a lower bound."""
    return f"{count:,}" if exact else f"{count:,}+"
