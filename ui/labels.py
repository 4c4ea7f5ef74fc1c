"""Display text of the core's enums and names: the one mapping the desk's views read.

Owns :data:`STATUS_LABELS`, :data:`OUTCOME_LABELS`, :data:`ESCROW_LABELS`, the run panel's
step names (:func:`step_label`) and batch summary groups (:data:`BATCH_GROUP_LABELS`). Models
keep the enums themselves (sort, filter, compare) and only turn them into text here, when
painted.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from app.domain.states import EscrowStatus, Outcome, Status
from automation.runs.batch import BatchGroup

E = TypeVar("E", bound=StrEnum)


def _spelled(enum: type[E]) -> dict[E, str]:
    return {member: member.value.replace("_", " ") for member in enum}


STATUS_LABELS: dict[Status, str] = _spelled(Status)
OUTCOME_LABELS: dict[Outcome, str] = _spelled(Outcome)
ESCROW_LABELS: dict[EscrowStatus, str] = _spelled(EscrowStatus)

#: The runner's step names as the step log shows them (others: "open_x" -> "Open x").
STEP_LABELS: dict[str, str] = {
    "sign_in": "Sign in",
    "open_transfer": "Open transfer",
    "accept": "Accept",
    "confirm_ownership": "Confirm ownership",
}

BATCH_GROUP_LABELS: dict[BatchGroup, str] = {
    BatchGroup.ACCEPTED: "Accepted",
    BatchGroup.NEEDS_REVIEW: "Needs review",
    BatchGroup.BLOCKED: "Blocked",
    BatchGroup.RETRYING: "Will retry",
    BatchGroup.STOPPED: "Stopped",
    BatchGroup.NOT_RUN: "Not run",
    BatchGroup.OTHER: "Other",
}


def step_label(step: str) -> str:
    """A run step's name for people: ``sign_in`` -> "Sign in"."""
    return STEP_LABELS.get(step) or step.replace("_", " ").capitalize()


def seconds_text(seconds: float) -> str:
    """A duration for people: "2.3 s", "1 min 05 s", "1 h 02 min"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
