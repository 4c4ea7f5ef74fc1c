"""Parse portal emails: ``parse_message(raw_bytes) -> ParsedMessage``. A pure function that
never raises, whatever the input.

Steps: read the MIME leniently (``app.mail.mime``), find the portal by the sender's domain,
directly or inside a seller's forward, classify the kind by subject (falling back to the body),
then pull every field with the platform's patterns (``resources/mail/<platform>.toml``).

Only a message whose sender domain (or forwarded original sender) belongs to a portal is read
as a notice: a look-alike from anywhere else stays ``unrecognized``, so a phishing email can
never put an accept link into the queue. Messages over ``max_bytes`` keep their headers but are
not parsed (``parse_error`` says so).
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from app.mail import mime
from app.mail.templates import Template, load_templates
from app.mail.values import clean_value, parse_datetime, parse_seats

TRANSFER_NOTICE = "transfer_notice"
VERIFICATION_CODE = "verification_code"
UNRECOGNIZED = "unrecognized"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000  # regexes never see more than this much body text

_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:"
    r"|-{2,}\s*Original Message\s*-{2,})",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_FROM = re.compile(r"^[ \t>]*From:\s*(?P<value>.+)$", re.IGNORECASE | re.MULTILINE)
_FORWARD_SUBJECT = re.compile(r"^[ \t>]*Subject:\s*(?P<value>.+)$", re.IGNORECASE | re.MULTILINE)
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)


@dataclass(frozen=True)
class ParsedEvent:
    """One event of a notice (a notice may list several)."""

    event_name: str | None = None
    event_starts_at: datetime | None = None
    venue: str | None = None
    section: str | None = None
    row: str | None = None
    seats: tuple[str, ...] = ()

    @property
    def quantity(self) -> int:
        """Number of seats listed for this event."""
        return len(self.seats)


@dataclass(frozen=True)
class ParsedMessage:
    """Everything read from one email. Top-level event fields mirror ``events[0]``."""

    kind: str
    message_key: str
    platform: str | None = None
    message_id: str | None = None
    subject: str = ""
    from_addr: str = ""
    to_addrs: tuple[str, ...] = ()
    date: datetime | None = None
    size: int = 0
    forwarded: bool = False
    from_portal: bool = False
    sender_name: str | None = None
    sender_email: str | None = None
    event_name: str | None = None
    event_starts_at: datetime | None = None
    venue: str | None = None
    section: str | None = None
    row: str | None = None
    seats: tuple[str, ...] = ()
    quantity: int | None = None
    accept_url: str | None = None
    transfer_ref: str | None = None
    expires_at: datetime | None = None
    code: str | None = None
    events: tuple[ParsedEvent, ...] = ()
    missing: tuple[str, ...] = ()
    parse_error: str | None = None

    @property
    def template_drift(self) -> bool:
        """True when a portal sent it but the template no longer reads it fully."""
        readable = self.parse_error is None  # an oversized message is not a template change
        return self.from_portal and readable and (self.kind == UNRECOGNIZED or bool(self.missing))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601, tuples as lists)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data | {"template_drift": self.template_drift}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def parse_message(
    raw: bytes,
    max_bytes: int = DEFAULT_MAX_BYTES,
    templates: tuple[Template, ...] | None = None,
    size: int | None = None,
) -> ParsedMessage:
    """Parse one email. Never raises: trouble ends up in ``parse_error`` / ``missing``.

    Args:
        raw: the message (or only its header section, for a message known to be huge).
        max_bytes: the size cap; a bigger message keeps its headers but is not parsed.
        templates: platform templates (default: the shipped ones).
        size: the message's real size when ``raw`` is only its header section.
    """
    try:
        return _parse(raw, max_bytes, templates or load_templates(), size or len(raw))
    except Exception as exc:  # the contract is "never raises"; keep the message reviewable
        try:
            key = mime.derived_key(raw)
        except Exception:
            key = "unparseable"
        return ParsedMessage(
            kind=UNRECOGNIZED, message_key=key, size=size or len(raw),
            parse_error=f"parser failure: {type(exc).__name__}: {exc}"[:500],
        )


def _parse(
    raw: bytes, max_bytes: int, templates: tuple[Template, ...], size: int
) -> ParsedMessage:
    too_large = size > max_bytes
    _, content = mime.read_message(mime.header_block(raw) if too_large else raw)
    headers = content.headers
    _, from_addr = mime.parse_address(headers["from"])
    to_addrs = tuple(
        addr.lower() for _, addr in _all_addresses(headers["to"], headers["cc"]) if addr
    )
    base: dict[str, Any] = {
        "message_key": mime.message_key(raw, headers["message-id"]),
        "message_id": headers["message-id"] or None,
        "subject": headers["subject"],
        "from_addr": from_addr,
        "to_addrs": to_addrs,
        "date": mime.parse_date(headers["date"]),
        "size": size,
    }
    text = content.text()[:MAX_TEXT_CHARS]
    template, subject, body, forwarded = _find_portal(
        from_addr, headers["subject"], text, content.attached, templates
    )
    too_large_error = f"message too large to parse ({size} bytes > {max_bytes})"
    if template is None:
        return ParsedMessage(kind=UNRECOGNIZED, **base,
                             parse_error=too_large_error if too_large else None)
    base |= {"platform": template.platform, "from_portal": True, "forwarded": forwarded}
    if too_large:
        return ParsedMessage(kind=UNRECOGNIZED, **base, parse_error=too_large_error)
    kind = _classify(template, subject, body, content.links)
    if kind == UNRECOGNIZED:
        return ParsedMessage(kind=kind, **base)
    if kind == VERIFICATION_CODE:
        code = _first(template, "code", body)
        missing = ("code",) if "code" in template.key_fields[kind] and not code else ()
        return ParsedMessage(kind=kind, code=code, missing=missing, **base)
    return _notice(template, body, content.links, base)


def _all_addresses(*values: str) -> list[tuple[str, str]]:
    try:
        return email.utils.getaddresses([v for v in values if v])
    except Exception:
        return []


def _find_portal(
    from_addr: str,
    subject: str,
    text: str,
    attached: list[tuple[str, str]],
    templates: tuple[Template, ...],
) -> tuple[Template | None, str, str, bool]:
    """The portal template, the effective subject and body, and whether it was forwarded."""
    body = _QUOTE_PREFIX.sub("", text)
    for template in templates:
        if from_addr and template.is_sender_domain(from_addr):
            return template, subject, body, False
    for inner_from, inner_subject in attached:  # forwarded as an attachment
        _, inner_addr = mime.parse_address(inner_from)
        for template in templates:
            if inner_addr and template.is_sender_domain(inner_addr):
                return template, inner_subject, body, True
    marker = _FORWARD_MARKER.search(text)
    start = marker.start() if marker else 0
    for found in _FORWARD_FROM.finditer(text, start):
        _, inner_from = mime.parse_address(found["value"])
        for template in templates:
            if inner_from and template.is_sender_domain(inner_from):
                subject_line = _FORWARD_SUBJECT.search(text, found.end())
                forwarded_subject = subject_line["value"].strip() if subject_line else subject
                return template, forwarded_subject, _QUOTE_PREFIX.sub("", text[start:]), True
    return None, subject, body, False


def _classify(template: Template, subject: str, body: str, links: list[str]) -> str:
    for kind in (TRANSFER_NOTICE, VERIFICATION_CODE):
        if any(p.search(subject) for p in template.subjects.get(kind, ())):
            return kind
    if _first(template, "event_name", body) and (
        _accept_url(template, links) or _first(template, "seats", body)
    ):
        return TRANSFER_NOTICE
    if re.search(r"\b(?:verification|security|one[- ]time)\b", body, re.I) and _first(
        template, "code", body
    ):
        return VERIFICATION_CODE
    return UNRECOGNIZED


def _first(template: Template, name: str, text: str) -> str | None:
    for pattern in template.patterns(name):
        found = pattern.search(text)
        if found and found.groupdict().get("value"):
            value = clean_value(found["value"])
            if value:
                return value
    return None


def _accept_url(template: Template, links: list[str]) -> str | None:
    cleaned = [link.rstrip(".,;:!?)]'\"") for link in links]
    for pattern in template.patterns("accept_url"):
        for link in cleaned:
            if pattern.search(link):
                return link
    return None


def _sender(template: Template, body: str) -> tuple[str | None, str | None]:
    for pattern in template.patterns("sender"):
        found = pattern.search(body)
        if found:
            groups = found.groupdict()
            name = clean_value(groups.get("name") or "", 120) or None
            addr = (groups.get("email") or "").strip().lower() or None
            if name or addr:
                return name, addr
    return None, None


def _events(template: Template, body: str) -> list[ParsedEvent]:
    starts = [m.start() for p in template.patterns("event_name") for m in p.finditer(body)]
    starts = sorted(set(starts)) or [0]
    blocks = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    events = []
    for block in blocks[:50]:
        seats_text = _first(template, "seats", block)
        starts_text = _first(template, "event_starts_at", block)
        events.append(ParsedEvent(
            event_name=_first(template, "event_name", block),
            event_starts_at=parse_datetime(starts_text) if starts_text else None,
            venue=_first(template, "venue", block),
            section=_first(template, "section", block),
            row=_first(template, "row", block),
            seats=tuple(parse_seats(seats_text)) if seats_text else (),
        ))
    return events


def _expiry(template: Template, body: str, sent: datetime | None) -> datetime | None:
    text = _first(template, "expires_at", body)
    if text and (parsed := parse_datetime(text)):
        return parsed
    hours = _first(template, "expires_within_hours", body)
    if hours and sent is not None:
        return sent + timedelta(hours=int(hours))
    return None


def _notice(
    template: Template, body: str, links: list[str], base: dict[str, Any]
) -> ParsedMessage:
    events = _events(template, body)
    first = events[0]
    quantity_text = _first(template, "quantity", body)
    seat_count = sum(e.quantity for e in events)
    quantity = int(quantity_text) if quantity_text else (seat_count or None)
    sender_name, sender_email = _sender(template, body)
    fields: dict[str, Any] = {
        "sender_name": sender_name,
        "sender_email": sender_email,
        "event_name": first.event_name,
        "event_starts_at": first.event_starts_at,
        "venue": first.venue,
        "section": first.section,
        "row": first.row,
        "seats": first.seats,
        "quantity": quantity,
        "accept_url": _accept_url(template, links),
        "transfer_ref": _first(template, "transfer_ref", body),
        "expires_at": _expiry(template, body, base["date"]),
    }
    missing = tuple(f for f in template.key_fields[TRANSFER_NOTICE] if not fields.get(f))
    return ParsedMessage(
        kind=TRANSFER_NOTICE, events=tuple(events), missing=missing, **base, **fields,
    )


__all__ = [
    "DEFAULT_MAX_BYTES", "TRANSFER_NOTICE", "UNRECOGNIZED", "VERIFICATION_CODE", "ParsedEvent",
    "ParsedMessage", "parse_message",
]
