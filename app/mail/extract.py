"""The general notice extractor: structure first (HTML tables), then label/value lines, then
phrasings (a title line, quoted text after "for", the subject). Pure functions, no I/O.

Every field comes with a confidence in [0, 1]: a labelled value or a table column is sure, a
value found by a phrasing or a lone title line less so. The caller sends low-confidence notices
to staff instead of guessing (:data:`LOW_CONFIDENCE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from app.mail import labels as vocab
from app.mail.tables import html_tables
from app.mail.values import TIME_RE, clean_value, find_date, parse_datetime

LOW_CONFIDENCE = 0.7
LABELLED, BARE_LABEL, TABLE, PHRASE, TITLE, SUBJECT, UNSURE = 0.95, 0.8, 0.95, 0.8, 0.7, 0.6, 0.5
EVENT_FIELDS = (
    "event_name", "event_starts_at", "time", "venue", "section", "row", "seats", "location",
)
_LEADER = re.compile(r"[ \t]*(?:\.{3,}|…+|_{3,}|-{3,})[ \t]*")
_LEADER_MARKS = ("...", "…", "___", "---")  # every _LEADER match contains one of these
MAX_EVENTS = 50

_LABEL_ALT = "|".join(re.escape(label) for label in vocab.LABEL_TO_FIELD)
_LABEL_LINE = re.compile(
    rf"^\s*(?P<label>{_LABEL_ALT})(?![\w(])\s*(?P<sep>[:：]|[#|\t]|[-–—](?=\s)|\s)?\s*"
    r"(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_REF = re.compile(r"^#?\s*(?P<value>[A-Z0-9][A-Z0-9-]{3,39})\b", re.IGNORECASE)
_INLINE_REF = re.compile(
    r"(?<![\w])(?:" + "|".join(sorted(
        {re.escape(label.rstrip(" #")) for label in vocab.LABELS["transfer_ref"]},
        key=len, reverse=True,
    )) + r")\s*(?:[:#]\s*)+(?P<value>[A-Z0-9][A-Z0-9-]{3,39})\b",
    re.IGNORECASE,
)
_SHORT_VALUE = re.compile(r"^[\w][\w .'’/&+-]{0,24}$")
_SEAT_VALUE = re.compile(
    r"^[A-Za-z]{0,3}\d+[A-Za-z]?(?:\s*(?:,|&|-|–|—|\band\b|\bthrough\b|\bthru\b|\bto\b|\s)\s*"
    r"[A-Za-z]{0,3}\d+[A-Za-z]?)*\.?$",
    re.IGNORECASE,
)
_EXPIRY_LINE = re.compile(r"\b(?:accept(?:ed)?\b.{0,30}\b(?:by|before)|expir|deadline|until)\b",
                          re.IGNORECASE)


@dataclass
class Found:
    """One field value and how sure the extractor is of it."""

    value: str
    confidence: float


@dataclass
class EventFields:
    """The raw fields of one event, before conversion."""

    fields: dict[str, Found] = field(default_factory=dict)

    def put(self, name: str, value: str, confidence: float) -> None:
        if value and name not in self.fields:
            self.fields[name] = Found(value, confidence)


@dataclass
class Extraction:
    """Everything the extractor read: per-event fields and message-wide ones."""

    events: list[EventFields] = field(default_factory=list)
    fields: dict[str, Found] = field(default_factory=dict)

    def put(self, name: str, value: str | None, confidence: float) -> None:
        if value and name not in self.fields:
            self.fields[name] = Found(value, confidence)


def normalise_label(text: str) -> str:
    """A label as the vocabulary spells it: lower case, single spaces, no trailing colon."""
    return re.sub(r"\s+", " ", text).strip().strip(":：#.-–— ").lower()


def field_of_label(text: str) -> str | None:
    """The field a label names, as spelled (``Transfer #``) or without its punctuation."""
    spelled = text.lower()
    if spelled not in vocab.LABEL_TO_FIELD:
        spelled = re.sub(r"\s+", " ", spelled).strip()
    return vocab.LABEL_TO_FIELD.get(spelled) or vocab.LABEL_TO_FIELD.get(normalise_label(text))


def valid_value(name: str, value: str, reference: datetime | None) -> bool:
    """Whether ``value`` can be a ``name`` (used for labels without a colon)."""
    if not value or len(value) > 200:
        return False
    if name in ("event_starts_at", "expires_at"):
        return parse_datetime(value, reference) is not None
    if name == "time":
        return TIME_RE.search(value) is not None
    if name in ("section", "row"):
        return bool(_SHORT_VALUE.match(value)) and len(value) <= (25 if name == "section" else 8)
    if name == "seats":
        return bool(_SEAT_VALUE.match(value))
    if name == "quantity":
        return bool(re.match(r"^\d{1,3}\b", value))
    if name == "transfer_ref":
        return bool(_REF.match(value)) and any(c.isdigit() for c in value)
    if name == "location":
        return bool(location_parts(value))
    if name in ("event_name", "venue"):
        return bool(re.search(r"[^\W\d_]{2}", value)) and len(value) <= 150
    return True


def label_value(line: str, reference: datetime | None) -> tuple[str, str, float] | None:
    """``(field, value, confidence)`` of a ``Label: value`` line; value "" = on the next line."""
    found = _LABEL_LINE.match(line)
    if not found:
        return None
    name = field_of_label(found["label"])
    if name is None:
        return None
    value, sep = clean_value(found["value"]), found["sep"] or ""
    strong = sep.strip() != "" or "\t" in sep
    if not value:
        return (name, "", LABELLED) if strong or sep == "" else None
    if name == "transfer_ref":
        ref = _REF.match(value)
        value = ref["value"] if ref else value
    if name == "event_starts_at" and not find_date(value) and TIME_RE.search(value):
        name = "time"  # "Kickoff: 7:30 PM ET" under a date line
    if not valid_value(name, value, reference):
        return None
    if not strong and name in ("event_name", "venue", "sender") and not value[0].isupper():
        return None  # "Event details below", "from all of us"
    return name, value, LABELLED if strong else BARE_LABEL


def readable_text(plain: str, html: str) -> str:
    """The plain-text parts, unless they are a stub ("view this email online") next to an HTML
    part that carries the fields: then the HTML as text."""
    if not html or plain == html or len(plain) * 3 >= len(html):
        return plain
    return html if field_signals(html) >= field_signals(plain) + 3 else plain


def field_signals(text: str) -> int:
    """How many lines of ``text`` carry a notice field (a label, a seat location, a date)."""
    count = 0
    for line in text.splitlines()[:400]:
        if line.strip() and (find_date(line) or location_parts(line)
                             or label_value(line, None) is not None):
            count += 1
    return count


def location_parts(line: str, least: int = 2) -> list[tuple[str, str]]:
    """Section, row and seats of a line naming at least two of them, in any order."""
    marks = list(vocab.LOCATION_LABEL.finditer(line))
    if len(marks) < least:
        return []
    parts = []
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        label = mark["label"].lower().rstrip(".")
        name = "row" if label == "row" else ("seats" if label.startswith("seat") else "section")
        value = line[mark.end(): nxt.start() if nxt else len(line)]
        value = clean_value(value.strip(" \t,;|/·•-–—"))
        if value and valid_value(name, value, None):
            parts.append((name, value))
    return parts


def _header_map(row: list[str]) -> dict[int, str]:
    mapped = {}
    for index, cell in enumerate(row):
        name = vocab.LABEL_TO_FIELD.get(normalise_label(cell))
        if name is not None and (name in EVENT_FIELDS or name == "quantity"):
            mapped[index] = name
    return mapped


def has_header_row(lines: list[str]) -> bool:
    """Whether the text of an HTML mail shows a table header row (cells are tab-separated)."""
    for line in lines:
        if "\t" in line and len(_header_map(line.split("\t"))) >= 2:
            return True
    return False


def from_tables(html: str, reference: datetime | None) -> list[EventFields]:
    """Events of tables with a header row (Event, Date, Section, Row, Seats, Qty in any
    order and spelling), one row per seat or per event; rows of one event are merged."""
    events: list[EventFields] = []
    for table in html_tables(html):
        columns: dict[int, str] = {}
        for row in table:
            mapped = _header_map(row)
            if len(mapped) >= 2 and set(mapped.values()) & {
                    "event_name", "location", *vocab.LOCATION_FIELDS}:
                columns = mapped
                continue
            if not columns:
                continue
            values = {name: clean_value(row[i]) for i, name in columns.items() if i < len(row)}
            values = {n: v for n, v in values.items() if v and valid_value(n, v, reference)}
            for name, value in location_parts(values.pop("location", ""), 1):
                values.setdefault(name, value)
            if not values.keys() & {"event_name", "seats", "section"}:
                continue
            _merge_row(events, values)
    return events[:MAX_EVENTS]


def _merge_row(events: list[EventFields], values: dict[str, str]) -> None:
    last = events[-1] if events else None
    same = last is not None and all(
        last.fields[k].value == values[k]
        for k in ("event_name", "event_starts_at", "section", "row")
        if k in values and k in last.fields
    ) and "seats" in values and "seats" in last.fields
    if same and last is not None:
        merged = last.fields["seats"].value + ", " + values["seats"]
        last.fields["seats"] = Found(merged, TABLE)
        return
    event = EventFields()
    for name, value in values.items():
        event.put(name, value, TABLE)
    events.append(event)


def from_lines(lines: list[str], reference: datetime | None) -> Extraction:
    """Label/value lines in any order; an event starts at each event name (or a repeated seat
    location, which keeps the event's name and date)."""
    result = Extraction()
    current = EventFields()
    pending: tuple[str, float] | None = None
    for line in lines:
        if not line.strip():
            continue
        if any(leader in line for leader in _LEADER_MARKS):  # cheap test, most lines have none
            line = _LEADER.sub(": ", line, count=1)
        if pending is not None:
            name, confidence = pending
            pending = None
            if label_value(line, reference) is None and valid_value(name, line.strip(), reference):
                current = _assign(result, current, name, clean_value(line), confidence)
                continue
        parts = location_parts(line)
        if parts:
            for name, value in parts:
                current = _assign(result, current, name, value, LABELLED)
            continue
        found = label_value(line, reference)
        if found is None:
            continue
        name, value, confidence = found
        if not value:
            pending = (name, confidence)
            continue
        if name == "location":
            for part, part_value in location_parts(value, 1):
                current = _assign(result, current, part, part_value, confidence)
            continue
        current = _assign(result, current, name, value, confidence)
    if current.fields:
        result.events.append(current)
    return result


def _assign(
    result: Extraction, current: EventFields, name: str, value: str, confidence: float
) -> EventFields:
    if name not in EVENT_FIELDS:
        result.put(name, value, confidence)
        return current
    if name in current.fields:
        result.events.append(current)
        inherited = EventFields()
        if name in vocab.LOCATION_FIELDS:  # a second seat block of the same event
            for key in ("event_name", "event_starts_at", "time", "venue"):
                if key in current.fields:
                    inherited.fields[key] = current.fields[key]
        current = inherited
    elif name == "event_name" and current.fields.keys() & set(vocab.LOCATION_FIELDS):
        result.events.append(current)  # a new event after a complete one
        current = EventFields()
    current.put(name, value, confidence)
    return current


def reference(text: str) -> str | None:
    """A transfer reference labelled inside a sentence ("... accepted. Confirmation #: 88-12")."""
    for found in _INLINE_REF.finditer(text):
        if any(c.isdigit() for c in found["value"]):
            return found["value"]
    return None


def sender(lines: list[str], subject: str) -> tuple[str | None, str | None, float]:
    """The seller's name and email from the usual phrasings (body first, then the subject)."""
    for source, confidence in (("\n".join(lines[:80]), PHRASE), (subject, SUBJECT)):
        for pattern in vocab.SENDER_PHRASES:
            for found in pattern.finditer(source):
                name = _name_only(clean_value(found["name"] or "", 120).rstrip("."))
                email = (found.groupdict().get("email") or "").lower() or None
                if name.lower() in vocab.NOT_A_NAME or len(name.split()) > 6:
                    name = ""
                if name or email:
                    return name or None, email, confidence
    return None, None, 0.0


def _name_only(text: str) -> str:
    """A name up to the first word no name holds ("Ann Lee has been ..." -> "Ann Lee")."""
    words = text.split()
    cut = next((i for i, w in enumerate(words) if w.lower() in vocab.NOT_NAME_WORDS), None)
    return " ".join(words[:cut]) if cut is not None else text


def event_name_fallback(lines: list[str], subject: str) -> tuple[str | None, float]:
    """An event named without a label: quoted after "for", a title line, the subject."""
    body = "\n".join(lines[:200])
    quoted = vocab.QUOTED_AFTER_FOR.search(body)
    if quoted:
        return clean_value(quoted["value"]), PHRASE
    for line in lines[:200]:
        title = vocab.TITLE_LINE.match(line)
        if title and _plausible_title(title["value"]):
            return clean_value(title["value"]), TITLE
    after_for = vocab.EVENT_AFTER_FOR.search(body)
    if after_for and not vocab.TRANSFER_WORDS.search(after_for["value"]):
        return clean_value(after_for["value"]), TITLE
    above = _line_above_a_date(lines[:200])
    if above:
        return above, UNSURE
    cleaned = re.sub(r"^\s*(?:(?:fwd?|re)\s*:\s*)+", "", subject, flags=re.IGNORECASE)
    for pattern in vocab.SUBJECT_EVENT:
        found = pattern.search(cleaned)
        if found and re.search(r"[^\W\d_]{3}", found["value"]):
            value = clean_value(found["value"])
            if not vocab.TRANSFER_WORDS.search(value) and value.lower() not in vocab.NOT_A_NAME:
                return value, SUBJECT
    return None, 0.0


def _plausible_title(text: str) -> bool:
    words = text.split()
    if len(words) > 12 or vocab.TRANSFER_WORDS.search(text) or text.rstrip().endswith("."):
        return False
    separator = re.search(r"\s(vs\.?|v\.?|versus|@|at)\s", text, re.IGNORECASE)
    if separator and separator[1].lower() == "at":  # "at" only between two capitalised names
        left, right = text[: separator.start()].split(), text[separator.end():].split()
        return bool(left and right) and left[0][0].isupper() and right[0][0].isupper() and not (
            re.search(r"\d", text))
    return True


def _line_above_a_date(lines: list[str]) -> str | None:
    """A short heading line right above an unlabelled date line (often the event's title)."""
    for above, line in zip(lines, lines[1:], strict=False):
        text = above.strip()
        if (find_date(line) and label_value(line, None) is None and not _EXPIRY_LINE.search(line)
                and 3 <= len(text) <= 90 and text[0].isupper() and text[-1] not in ".!?:,"
                and label_value(text, None) is None and not find_date(text)
                and not vocab.TRANSFER_WORDS.search(text) and "http" not in text):
            return clean_value(text)
    return None


def date_fallback(lines: list[str], reference: datetime | None) -> str | None:
    """The first date of a block that is not a deadline ("accept by ...")."""
    for line in lines:
        if find_date(line) and not _EXPIRY_LINE.search(line):
            if parse_datetime(line, reference) is not None:
                return line
    return None
