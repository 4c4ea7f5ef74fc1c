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
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from app.mail import deadlines, extract, mime, teach
from app.mail import labels as vocab
from app.mail import links as links_of
from app.mail.forwards import find_portal, original_sent
from app.mail.teach import TaughtTemplate
from app.mail.templates import Template, load_templates
from app.mail.values import TIME_RE, clean_value, parse_datetime, parse_seats

TRANSFER_NOTICE = "transfer_notice"
TRANSFER_REMINDER = "transfer_reminder"
TRANSFER_CANCELLED = "transfer_cancelled"
TRANSFER_ACCEPTED = "transfer_accepted"
VERIFICATION_CODE = "verification_code"
UNRECOGNIZED = "unrecognized"
TRANSFER_KINDS = (TRANSFER_NOTICE, TRANSFER_REMINDER, TRANSFER_CANCELLED, TRANSFER_ACCEPTED)
KINDS = (*TRANSFER_KINDS, VERIFICATION_CODE, UNRECOGNIZED)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000  # regexes never see more than this much body text
TAUGHT = 0.97  # a value read by a rule staff taught for this sender

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
    confidence: dict[str, float] = field(default_factory=dict)
    looks_like_notice: bool = False

    @property
    def low_confidence(self) -> tuple[str, ...]:
        """Fields read with too little confidence to act on (staff review them)."""
        return tuple(sorted(
            name for name, value in self.confidence.items() if value < extract.LOW_CONFIDENCE
        ))

    @property
    def template_drift(self) -> bool:
        """True when a portal sent what looks like a notice but required fields are missing.

        Promotions, newsletters and renewals from the portal's domain are not notices and never
        count; neither does an oversized message (not a template change).
        """
        readable = self.parse_error is None
        return (self.from_portal and readable and self.looks_like_notice
                and (self.kind == UNRECOGNIZED or bool(self.missing)))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601, tuples as lists)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data | {"template_drift": self.template_drift,
                       "low_confidence": list(self.low_confidence)}


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
    taught: Sequence[TaughtTemplate] = (),
) -> ParsedMessage:
    """Parse one email. Never raises: trouble ends up in ``parse_error`` / ``missing``.

    Args:
        raw: the message (or only its header section, for a message known to be huge).
        max_bytes: the size cap; a bigger message keeps its headers but is not parsed.
        templates: platform templates (default: the shipped ones).
        size: the message's real size when ``raw`` is only its header section.
        taught: templates taught from the desk; the one of the sender's domain wins.
    """
    try:
        return _parse(raw, max_bytes, templates or load_templates(), size or len(raw),
                      tuple(taught))
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
    raw: bytes, max_bytes: int, templates: tuple[Template, ...], size: int,
    taught: tuple[TaughtTemplate, ...],
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
    text = extract.readable_text(content.text(), "\n".join(content.html))[:MAX_TEXT_CHARS]
    template, subject, body, forwarded, origin = find_portal(
        from_addr, headers["subject"], text, content.attached, templates
    )
    school = next((t for t in taught if t.covers(origin or from_addr)), None)
    if template is None and school is not None:  # staff taught this sender: read it
        template = next((t for t in templates if t.platform == school.platform), None)
    too_large_error = f"message too large to parse ({size} bytes > {max_bytes})"
    if template is None:  # not a portal's mail: never read, but say when it reads like one
        anchors = content.anchors + links_of.text_anchors(body)
        looks = not too_large and bool(templates) and _classify(
            templates[0], subject, body, _accept_url(templates[0], content.links, anchors),
            anchors)[1]
        return ParsedMessage(kind=UNRECOGNIZED, **base, looks_like_notice=looks,
                             parse_error=too_large_error if too_large else None)
    base |= {"platform": template.platform, "from_portal": True, "forwarded": forwarded}
    if too_large:
        return ParsedMessage(kind=UNRECOGNIZED, **base, parse_error=too_large_error)
    anchors = content.anchors + links_of.text_anchors(body)
    accept_url = _accept_url(template, content.links, anchors)
    kind, looks_like_notice = _classify(template, subject, body, accept_url, anchors)
    rules = school.rules if school else {}
    taught_values = teach.apply_rules(rules, body) if rules else {}
    if kind == UNRECOGNIZED and len(taught_values) >= 2:
        kind, looks_like_notice = TRANSFER_NOTICE, True
    base["looks_like_notice"] = looks_like_notice
    if kind == UNRECOGNIZED:
        return ParsedMessage(kind=kind, **base)
    if kind == VERIFICATION_CODE:
        code = _first(template, "code", body)
        missing = ("code",) if "code" in template.key_fields[kind] and not code else ()
        return ParsedMessage(kind=kind, code=code, missing=missing, **base)
    html = "\n".join(content.html_source)
    sent = base["date"]

    def counted_from() -> datetime | None:  # a forward's span counts from its original
        return original_sent(text, sent) if forwarded else sent

    return _notice(kind, template, subject, body, html, accept_url, base, taught_values,
                   counted_from)


def _all_addresses(*values: str) -> list[tuple[str, str]]:
    try:
        return email.utils.getaddresses([v for v in values if v])
    except Exception:
        return []


def _classify(
    template: Template, subject: str, body: str, accept_link: str | None,
    anchors: list[tuple[str, str]],
) -> tuple[str, bool]:
    """The kind of a portal message (``accept_link``: its accept link, if any), and whether it
    looks like a transfer notice at all."""
    head = body[:20_000]
    notice_subject = any(p.search(subject) for p in template.subjects.get(TRANSFER_NOTICE, ()))
    transferish = notice_subject or bool(vocab.TRANSFER_WORDS.search(subject + "\n" + head))
    ticket_words = transferish or bool(re.search(r"\b(?:tickets?|seats?)\b", head, re.I))
    looks_like_notice = notice_subject or (ticket_words and bool(accept_link and (
        re.search(r"accept|claim", accept_link, re.IGNORECASE)
        or accept_link == links_of.accept_by_label(anchors))))
    code_subject = any(p.search(subject) for p in template.subjects.get(VERIFICATION_CODE, ()))
    if (code_subject or vocab.CODE_WORDS.search(head)) and _first(template, "code", head):
        return VERIFICATION_CODE, False
    if code_subject:
        return VERIFICATION_CODE, False
    if vocab.PROMO_WORDS.search(subject) and not notice_subject:
        return UNRECOGNIZED, False
    cancelled_body = transferish and vocab.CANCELLED_WORDS.search(head)
    if vocab.CANCELLED_WORDS.search(subject) or cancelled_body:
        return TRANSFER_CANCELLED, False
    if vocab.ACCEPTED_WORDS.search(subject) or (
        transferish and not accept_link and vocab.ACCEPTED_WORDS.search(head)
    ):
        return TRANSFER_ACCEPTED, False
    if not (notice_subject or looks_like_notice or (transferish and accept_link)):
        if not (_first(template, "event_name", head) and (accept_link or _first(
                template, "seats", head))):
            return UNRECOGNIZED, looks_like_notice
    if vocab.REMINDER_WORDS.search(subject) or vocab.REMINDER_WORDS.search(head[:600]):
        return TRANSFER_REMINDER, True
    return TRANSFER_NOTICE, True


def _first(template: Template, name: str, text: str) -> str | None:
    for pattern in template.patterns(name):
        found = pattern.search(text)
        if found and found.groupdict().get("value"):
            value = clean_value(found["value"])
            if value:
                return value
    return None


def _accept_url(
    template: Template, links: list[str], anchors: list[tuple[str, str]]
) -> str | None:
    return links_of.accept_link(template.patterns("accept_url"), links, anchors)


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


def _events(
    template: Template, subject: str, body: str, html: str, reference: datetime | None,
    taught: dict[str, str],
) -> tuple[list[ParsedEvent], extract.Extraction, dict[str, float]]:
    """Events from a taught template, tables, label/value lines, then phrasings."""
    lines = body.splitlines()
    read = extract.from_lines(lines, reference)
    has_header = html and extract.has_header_row(lines)
    table_events = extract.from_tables(html, reference) if has_header else []
    raw_events = table_events or read.events or [extract.EventFields()]
    first = raw_events[0]
    for key, taught_value in taught.items():  # what staff taught for this sender wins
        target = first.fields if key in extract.EVENT_FIELDS else read.fields
        target[key] = extract.Found(taught_value, TAUGHT)
    if "event_name" not in first.fields:
        pattern_name = _first(template, "event_name", body)
        name, confidence = (pattern_name, extract.LABELLED) if pattern_name else (
            extract.event_name_fallback(lines, subject))
        if name:
            for event in raw_events:
                event.put("event_name", name, confidence)
    if "event_starts_at" not in first.fields:
        line = extract.date_fallback(lines, reference)
        if line:
            for event in raw_events:
                event.put("event_starts_at", line, extract.TITLE)
    for key in ("section", "row", "seats", "venue"):
        if key not in first.fields and (value := _first(template, key, body)):
            first.put(key, value, extract.LABELLED)
    events = [_event(e, reference) for e in raw_events[:extract.MAX_EVENTS]]
    scores = {n: f.confidence for n, f in first.fields.items() if n != "time"}
    return events, read, scores


def _event(raw: extract.EventFields, reference: datetime | None) -> ParsedEvent:
    values = {name: found.value for name, found in raw.fields.items()}
    when = values.get("event_starts_at")
    if when and "time" in values and not TIME_RE.search(when):
        when = f"{when} {values['time']}"
    elif not when and "time" in values:
        when = None
    return ParsedEvent(
        event_name=values.get("event_name"),
        event_starts_at=parse_datetime(when, reference) if when else None,
        venue=values.get("venue"),
        section=values.get("section"),
        row=values.get("row"),
        seats=tuple(parse_seats(values["seats"])) if values.get("seats") else (),
    )


def _notice(
    kind: str, template: Template, subject: str, body: str, html: str, accept_url: str | None,
    base: dict[str, Any], taught: dict[str, str], counted_from: Callable[[], datetime | None],
) -> ParsedMessage:
    events, read, confidence = _events(template, subject, body, html, base["date"], taught)
    first = events[0]
    found = read.fields
    quantity_text = found["quantity"].value if "quantity" in found else _first(
        template, "quantity", body)
    seat_count = sum(e.quantity for e in events)
    quantity_match = re.match(r"\d{1,3}", quantity_text or "")
    quantity = int(quantity_match[0]) if quantity_match else (seat_count or None)
    sender_name, sender_email = _sender(template, body)
    sender_confidence = extract.LABELLED if sender_name or sender_email else 0.0
    if "sender" in taught:
        sender_name, sender_email = None, None
    elif not (sender_name or sender_email):
        sender_name, sender_email, sender_confidence = extract.sender(body.splitlines(), subject)
    if "sender" in found and not sender_name:
        label_value = found["sender"].value
        sender_name = clean_value(re.sub(r"[(<\[].*$", "", label_value), 120) or None
        in_value = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", label_value)
        sender_email = sender_email or (in_value[0].lower() if in_value else None)
        sender_confidence = found["sender"].confidence
    if sender_name or sender_email:
        confidence["sender"] = sender_confidence
    ref = found["transfer_ref"].value if "transfer_ref" in found else _first(
        template, "transfer_ref", body)
    if not (ref and any(c.isdigit() for c in ref)):  # "Transfer NOTIFICATION" is no reference
        ref = extract.reference(body)
    expires = deadlines.offer_deadline(
        body, base["date"], counted_from, _first(template, "expires_at", body),
        _first(template, "expires_within_hours", body))
    if expires is None and "expires_at" in found:
        expires = parse_datetime(found["expires_at"].value, base["date"])
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
        "accept_url": accept_url,
        "transfer_ref": ref,
        "expires_at": expires,
    }
    required = template.key_fields[TRANSFER_NOTICE] if kind == TRANSFER_NOTICE else ()
    missing = tuple(f for f in required if not fields.get(f))
    return ParsedMessage(
        kind=kind, events=tuple(events), missing=missing, confidence=confidence, **base,
        **fields,
    )


__all__ = [
    "DEFAULT_MAX_BYTES", "KINDS", "TRANSFER_ACCEPTED", "TRANSFER_CANCELLED", "TRANSFER_KINDS",
    "TRANSFER_NOTICE", "TRANSFER_REMINDER", "UNRECOGNIZED", "VERIFICATION_CODE", "ParsedEvent",
    "ParsedMessage", "parse_message",
]
