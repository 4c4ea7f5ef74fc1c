"""Turning matched text into values: seat lists and ranges, dates with US time zones."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
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


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|'\d{2})"
DATE_RE = re.compile(
    "|".join((
        rf"\b{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?\b",                  # November 28, 2026
        rf"\b{_DAY}\s+(?:of\s+)?{_MON},?\s+{_YEAR}\b".replace("?P<", "?P<x"),  # 28 Nov 2026
        r"\b(?P<m>\d{1,2})[/.](?P<d>\d{1,2})[/.](?P<y>\d{4}|\d{2})\b",  # 11/28/2026, 11/28/26
        r"\b(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?=\b|T)",     # 2026-11-28
        r"\b(?P<dm>\d{1,2})-(?P<dd>\d{1,2})-(?P<dy>\d{4})\b",             # 11-28-2026
    )),
    re.IGNORECASE,
)
TIME_RE = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?(?::\d{2})?\s*(?P<ap>[ap]\.?\s?m\b\.?)"
    r"|(?<![\d:])(?P<h24>[01]?\d|2[0-3]):(?P<mi24>[0-5]\d)(?::\d{2})?(?![\d:])"
    r"|\b(?P<noon>noon|midnight)\b",
    re.IGNORECASE,
)
_ZONE_WORDS = {"eastern": "ET", "central": "CT", "mountain": "MT", "pacific": "PT"}
_ZONE_RE = re.compile(
    r"\b(?P<abbr>[ECMP][SD]?T|AKS?T|HS?T|UTC|GMT)\b|\b(?P<word>eastern|central|mountain|pacific)\b",
    re.IGNORECASE,
)


def _date_parts(found: re.Match[str]) -> tuple[int, int, int | None] | None:
    groups = found.groupdict()
    if groups.get("mon"):
        month, day, year = _MONTHS[groups["mon"][:3].lower()], groups["day"], groups["year"]
    elif groups.get("xmon"):
        month, day, year = _MONTHS[groups["xmon"][:3].lower()], groups["xday"], groups["xyear"]
    elif groups.get("m"):
        month, day, year = int(groups["m"]), groups["d"], groups["y"]
    elif groups.get("dm"):
        month, day, year = int(groups["dm"]), groups["dd"], groups["dy"]
    else:
        month, day, year = int(groups["im"]), groups["id"], groups["iy"]
    if year is None:
        return int(month), int(day), None
    year_text = str(year).lstrip("'")
    full = int(year_text) + (2000 if len(year_text) == 2 else 0)
    return int(month), int(day), full


def _time_parts(text: str) -> tuple[int, int] | None:
    found = TIME_RE.search(text)
    if not found:
        return None
    if found["noon"]:
        return (12, 0) if found["noon"].lower() == "noon" else (0, 0)
    if found["h24"] is not None:
        return int(found["h24"]), int(found["mi24"])
    hour, minute = int(found["h"]), int(found["mi"] or 0)
    if hour > 12 or minute > 59:
        return None
    is_pm = found["ap"].lower().startswith("p")
    return (hour % 12) + (12 if is_pm else 0), minute


def find_date(text: str) -> re.Match[str] | None:
    """The first calendar date in ``text`` (month names, US numeric or ISO forms)."""
    return DATE_RE.search(text)


def parse_datetime(text: str, reference: datetime | None = None) -> datetime | None:
    """Parse a human date like ``Saturday, November 29, 2026 at 7:30 PM ET``.

    Reads month-name, US numeric (``11/28/26``) and ISO dates, a 12- or 24-hour time before or
    after the date, and a US zone (``ET``, ``PST``, ``Eastern``). A known zone gives an aware
    datetime; otherwise it is naive (local to the event). A date without a year takes the year
    that puts it closest after ``reference`` (the message date). Returns None when no date fits.
    """
    value = re.sub(r"\s+", " ", text or "")[:300]
    found = find_date(value)
    if not found:
        return None
    parts = _date_parts(found)
    if parts is None:
        return None
    month, day, year = parts
    if year is None:
        if reference is None:
            return None
        year = reference.year
        try:
            if datetime(year, month, day) < reference.replace(tzinfo=None) - timedelta(days=60):
                year += 1
        except ValueError:
            return None
    rest = value[: found.start()] + " " + value[found.end():]
    hour_minute = _time_parts(rest) or (0, 0)
    try:
        parsed = datetime(year, month, day, *hour_minute)
    except ValueError:
        return None
    zone = _ZONE_RE.search(rest)
    if zone:
        name = zone["abbr"].upper() if zone["abbr"] else _ZONE_WORDS[zone["word"].lower()]
        if name in _ZONES:
            return parsed.replace(tzinfo=ZoneInfo(_ZONES[name]))
    return parsed


def clean_value(text: str, limit: int = 300) -> str:
    """Collapse whitespace and trim trailing punctuation of a captured field."""
    return re.sub(r"\s+", " ", text).strip().strip(",;|").strip()[:limit]
