"""Domain errors: each a :class:`~app.errors.KnownError` with a message fit for staff."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import KnownError


class DomainError(KnownError):
    """A request the domain rules refuse."""


class IllegalTransitionError(DomainError):
    """The action is not allowed from the transfer's current state."""

    def __init__(self, action: str, current: str, target: str, allowed: Sequence[str]) -> None:
        self.action, self.current, self.target = action, current, target
        allowed_text = ", ".join(allowed) if allowed else "nowhere (creation only)"
        super().__init__(
            f"cannot {action.replace('_', ' ')}: the transfer is '{current}' "
            f"(-> '{target}' not allowed; allowed from: {allowed_text})"
        )


class StaleVersionError(DomainError):
    """Optimistic concurrency: someone else changed the row since it was read."""

    def __init__(self, what: str, expected: int, actual: int | None) -> None:
        self.expected, self.actual = expected, actual
        now = "it was deleted" if actual is None else f"it is now at version {actual}"
        super().__init__(
            f"{what} was changed by someone else (you had version {expected}, {now}); "
            "reload and try again"
        )


class NotFoundError(DomainError):
    """The referenced row does not exist."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} does not exist")


class UnknownValueError(DomainError):
    """A filter or field holds a value outside its fixed set."""

    def __init__(self, field: str, value: object, allowed: Sequence[str]) -> None:
        super().__init__(f"unknown {field} {value!r}; expected one of: {', '.join(allowed)}")


class LeaseLostError(DomainError):
    """The claimer no longer holds the transfer (lease expired and reaped, or released)."""

    def __init__(self, transfer_id: int, worker: str) -> None:
        super().__init__(
            f"transfer {transfer_id} is no longer claimed by {worker!r} (lease expired or "
            "released); stop the run"
        )


class PermissionDeniedError(DomainError):
    """The session's PostgreSQL role may not do this."""


class EvidenceError(DomainError):
    """Evidence refused: empty, too large, wrong type or failed its hash check."""


class ImportFailedError(DomainError):
    """A CSV import found bad rows; nothing was written.

    Attributes:
        errors: ``(line number, message)`` per bad row.
    """

    def __init__(self, errors: Sequence[tuple[int, str]]) -> None:
        self.errors = tuple(errors)
        shown = "; ".join(f"line {n}: {msg}" for n, msg in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(
            f"import refused, nothing written: {len(self.errors)} bad row(s): {shown}{more}"
        )
