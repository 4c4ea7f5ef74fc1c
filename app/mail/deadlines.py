"""When a transfer offer ends, in the phrasings schools use. Pure functions.

Two families: a date after a deadline phrase ("must be accepted by", "expires on", "offer valid
until", "accept before", "no later than"), with or without a year, and a span counted from the
message ("within 72 hours", "expires in 24 hours", "within 3 days"). A span needs the moment it
counts from; without one the deadline stays missing rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from app.mail.values import find_date, parse_datetime

_DEADLINE_PHRASE = re.compile(
    r"\b(?:"
    r"(?:must\s+be\s+(?:accepted|claimed)|(?:accept|claim|respond)"
    r"(?:\s+(?:it|them|the|your|these|this|tickets?|transfer|offer|seats?)){0,3})"
    r"\s+(?:by|before|no\s+later\s+than)"
    r"|(?:expires?|expiring|expiration(?:\s+date)?|deadline)(?:\s+(?:on|at))?"
    r"|(?:valid|available|open|good)\s+(?:until|through|thru|till)"
    r")\s*[:\-–]?\s*(?P<value>[^\n]{4,120})",
    re.IGNORECASE,
)
_SPAN = re.compile(
    r"\b(?:within|in|next)\s+(?:the\s+next\s+)?(?P<count>\d{1,3})\s*(?P<unit>hours?|hrs?|days?)\b",
    re.IGNORECASE,
)
_SPAN_CONTEXT = re.compile(r"accept|claim|expir|valid|respond|returned|reclaimed", re.IGNORECASE)
_DATE_WITHIN = 16  # the date starts right after the phrase (a weekday may come first)


def deadline_date(text: str, reference: datetime | None) -> datetime | None:
    """The first date that a deadline phrase introduces; a date without a year is placed
    after ``reference`` (the message date)."""
    for found in _DEADLINE_PHRASE.finditer(text):
        value = found["value"]
        date = find_date(value)
        if date is None or date.start() > _DATE_WITHIN:
            continue
        parsed = parse_datetime(value, reference)
        if parsed is not None:
            return parsed
    return None


def deadline_span(text: str) -> timedelta | None:
    """The span of "within 72 hours" / "expires in 2 days" when its sentence is about the
    offer ending (accept, claim, expire, valid, returned)."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        found = _SPAN.search(sentence)
        if found and _SPAN_CONTEXT.search(sentence):
            count = int(found["count"])
            hours = count * 24 if found["unit"].lower().startswith("d") else count
            return timedelta(hours=hours) if 0 < hours <= 24 * 30 else None
    return None


def offer_deadline(
    body: str, sent: datetime | None, counted_from: Callable[[], datetime | None],
    dated: str | None = None, within_hours: str | None = None,
) -> datetime | None:
    """The offer's deadline: the platform's dated pattern (``dated``), a dated phrase, else a
    span (the platform's ``within_hours`` or a phrased one) counted from when the portal sent
    the mail (``counted_from()``, asked only for a span: None for a forward that does not
    say, then no deadline)."""
    if dated and (parsed := parse_datetime(dated)):
        return parsed
    if phrased := deadline_date(body, sent):
        return phrased
    span = timedelta(hours=int(within_hours)) if within_hours else deadline_span(body)
    start = counted_from() if span is not None else None
    if span is not None and start is not None:
        return start + span
    return None
