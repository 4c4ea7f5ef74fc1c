"""Display text of the core's enums: the one mapping the desk's views read.

Owns :data:`STATUS_LABELS`, :data:`OUTCOME_LABELS` and :data:`ESCROW_LABELS`. Models keep the
enums themselves (sort, filter, compare) and only turn them into text here, when painted.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from app.domain.states import EscrowStatus, Outcome, Status

E = TypeVar("E", bound=StrEnum)


def _spelled(enum: type[E]) -> dict[E, str]:
    return {member: member.value.replace("_", " ") for member in enum}


STATUS_LABELS: dict[Status, str] = _spelled(Status)
OUTCOME_LABELS: dict[Outcome, str] = _spelled(Outcome)
ESCROW_LABELS: dict[EscrowStatus, str] = _spelled(EscrowStatus)
