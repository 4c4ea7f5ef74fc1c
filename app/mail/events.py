"""Events mail ingest publishes on :class:`app.events.EventBus` (plain frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass

CONNECTED, DISCONNECTED = "connected", "disconnected"


@dataclass(frozen=True)
class NoticeMatched:
    """A transfer notice was matched and its transfer moved to notice_received."""

    mail_message_id: int
    transfer_id: int
    score: float
    message_key: str


@dataclass(frozen=True)
class NoticeUnmatched:
    """A notice needs a human: ``status`` is unmatched or ambiguous (a tie)."""

    mail_message_id: int
    status: str
    reason: str
    candidate_ids: tuple[int, ...]


@dataclass(frozen=True)
class TemplateDriftAlarm:
    """A portal email the templates no longer read; ``count`` = occurrences so far."""

    mailbox: str
    platform: str
    subject: str
    missing: tuple[str, ...]
    count: int
    alarm_id: int | None


@dataclass(frozen=True)
class MailboxStatus:
    """A mailbox connection went up or down (``state`` is connected / disconnected)."""

    mailbox: str
    folder: str
    state: str
    detail: str = ""
