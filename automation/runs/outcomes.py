"""Run outcomes (defined by the domain, ``app.domain.states``) and the failure that carries one."""

from __future__ import annotations

from app.domain.states import RETRYABLE_OUTCOMES, SUCCESS_OUTCOMES, Outcome

__all__ = ["Outcome", "RunFailedError", "is_retryable", "is_success"]


def is_success(outcome: Outcome) -> bool:
    """True when the transfer is ours on the portal (it becomes verified)."""
    return outcome in SUCCESS_OUTCOMES


def is_retryable(outcome: Outcome) -> bool:
    """True for transient failures that go back to the queue with backoff."""
    return outcome in RETRYABLE_OUTCOMES


class RunFailedError(Exception):
    """Ends a run with a classified outcome (raised by adapters and run steps).

    Args:
        outcome: the classified outcome.
        detail: a short explanation for staff (never a secret).
    """

    def __init__(self, outcome: Outcome, detail: str = "") -> None:
        super().__init__(f"{outcome.value}: {detail}" if detail else outcome.value)
        self.outcome = outcome
        self.detail = detail
