"""Turning matched text into values: seat lists and ranges, dates with US time zones."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

MAX_SEATS = 200  # a range wider than this is a parse mistake, not a ticket order

_SEAT_TOKEN = r"[A-Za-z]{0,3}\d+[A-Za-z]?"
_RANGE_RE = re.compile(
    rf"^(?P<a>{_SEAT_TOKEN})\s*(?:-|–|—|\bthrough\b|\bthru\b|\bto\b)\s*(?P<b>{_SEAT_TOKEN})$",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"\s*(?:,|&|;|\band\b|\s)\s*", re.IGNORECASE)
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z]{0,3})(?P<num>\d+)(?P<suffix>[A-Za-z]?)$")

_ZONES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "AKT": "America/Anchorage", "HT": "Pacific/Honolulu", "HST": "Pacific/Honolulu",
    "UTC": "UTC", "GMT": "UTC", "Z": "UTC",
}
_DATE_FORMATS = (
    "%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%B %d %Y %I:%M %p", "%b %d %Y %I:%M %p",
    "%m/%d/%Y %I:%M %p", "%m/%d/%y %I:%M %p", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M", "%d %B %Y %H:%M",
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%d %B %Y",
)


def _expand_range(first: str, last: str) -> list[str] | None:
    a, b = _PREFIXED.match(first), _PREFIXED.match(last)
    if not a or not b or a["prefix"].lower() != b["prefix"].lower() or a["suffix"] or b["suffix"]:
        return None
    start, end = int(a["num"]), int(b["num"])
    if end < start or end - start >= MAX_SEATS:
        return None
    return [f"{a['prefix']}{n}" for n in range(start, end + 1)]


def parse_seats(text: str) -> list[str]:
    """Expand a seat expression into seat labels.

    ``"5-8"`` -> 5, 6, 7, 8; ``"1, 2, 3"``; ``"12 through 14"``; ``"3 & 4"``; ``"A1-A3"``.
    Unexpandable ranges keep both ends. Duplicates are dropped, order is kept.
    """
    text = re.sub(r"\s*(-|–|—)\s*", "-", text.strip())
    text = re.sub(r"\s+(through|thru|to)\s+", "-", text, flags=re.IGNORECASE)
    seats: list[str] = []
    for token in _SPLIT_RE.split(text):
        if not token:
            continue
        match = _RANGE_RE.match(token)
        if match:
            expanded = _expand_range(match["a"], match["b"])
            seats.extend(expanded if expanded else [match["a"], match["b"]])
        elif re.fullmatch(_SEAT_TOKEN, token):
            seats.append(token)
        if len(seats) > MAX_SEATS:
            break
    return list(dict.fromkeys(seats))[:MAX_SEATS]


def parse_datetime(text: str) -> datetime | None:
    """Parse a human date like ``Saturday, November 29, 2026 at 7:30 PM ET``.

    A known US zone abbreviation gives an aware datetime; otherwise it is naive (local to
    the event). Returns None when no format fits.
    """
    value = re.sub(r"\s+", " ", text).strip().rstrip(".")
    value = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", value, flags=re.I)
    value = re.sub(r"\s+(?:at|@|-|–)\s+", " ", value, flags=re.IGNORECASE)
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value)
    value = re.sub(r"\b([AaPp])\.?[Mm]\.?", lambda m: m[1].upper() + "M", value)
    value = re.sub(r"(\d)(AM|PM)\b", r"\1 \2", value)
    zone = None
    tz_match = re.search(r"\s*\(?\b([A-Z]{1,4})\)?$", value)
    if tz_match and tz_match[1] in _ZONES:
        zone = ZoneInfo(_ZONES[tz_match[1]])
        value = value[: tz_match.start()].strip()
    value = value.rstrip(",").strip()
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone) if zone else parsed
    return None


def clean_value(text: str, limit: int = 300) -> str:
    """Collapse whitespace and trim trailing punctuation of a captured field."""
    return re.sub(r"\s+", " ", text).strip().strip(",;|").strip()[:limit]
