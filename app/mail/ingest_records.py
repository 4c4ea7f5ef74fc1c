"""What mail ingest returns and the small pure helpers it shares (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.mail.matching import MatchDecision
from app.mail.parser import ParsedMessage

REVIEW_FIELDS = frozenset({"event_name", "event_starts_at", "section", "row", "seats", "sender"})


@dataclass(frozen=True)
class IngestResult:
    """What happened to one message (``mail_message_id`` is None for a duplicate)."""

    mail_message_id: int | None
    status: str
    parsed: ParsedMessage
    transfer_ids: tuple[int, ...] = ()

    @property
    def duplicate(self) -> bool:
        """True when the message was already known."""
        return self.mail_message_id is None


@dataclass(frozen=True)
class Incoming:
    """One message to ingest, with where it was found."""

    raw: bytes
    mailbox: str
    folder: str = "INBOX"
    uidvalidity: int | None = None
    uid: int | None = None
    received_at: datetime | None = None
    size: int | None = None


def clean_text(value: Any) -> Any:
    """Make text storable: PostgreSQL refuses NUL characters and unpaired surrogates."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    if isinstance(value, dict):
        return {k: clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    return value


def needs_review(parsed: ParsedMessage) -> bool:
    """A notice whose matching fields were read with low confidence is for staff to link."""
    return bool(set(parsed.low_confidence) & REVIEW_FIELDS)


def aware(moment: datetime | None) -> datetime | None:
    """Timestamps without a zone are taken as UTC for storage."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def unmatched_reason(
    decisions: list[MatchDecision], reason: str
) -> tuple[str, str, tuple[int, ...], float | None]:
    """(status, reason, ranked candidate ids, best score) of a notice nobody got."""
    status = "ambiguous" if any(d.status == "ambiguous" for d in decisions) else "unmatched"
    ranked = tuple(cid for d in decisions for cid, _ in d.ranked)
    best = max((d.score for d in decisions if d.score is not None), default=None)
    reason = reason or (
        "tie between candidates" if status == "ambiguous"
        else ("no candidate transfer" if not ranked else "score below threshold")
    )
    return status, reason, ranked, best
