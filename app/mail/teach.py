"""Templates taught from a marked sample: derive anchors and patterns, apply them. Pure.

Staff select a value in a notice and name its field. The rule kept is the *anchor* (the words
before the value on its line, or the line above it when the value stands alone) plus the
*shape* of the value (digits, words, punctuation), never the sample's literal value, so the
next notice of that school with other seats and another game still reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.errors import KnownError
from app.mail.values import clean_value

TEACHABLE_FIELDS = (
    "event_name", "event_starts_at", "venue", "section", "row", "seats", "quantity", "sender",
    "transfer_ref", "expires_at",
)
MAX_ANCHOR_WORDS = 4
_SEAT_VALUE = (r"[A-Za-z]{0,3}\d+[A-Za-z]?(?:\s*(?:,|&|-|–|—|\band\b|\bthrough\b|\bthru\b|"
               r"\bto\b)\s*[A-Za-z]{0,3}\d+[A-Za-z]?)*")
_SEPARATORS = r"[ \t:#|\-–—.]*"


class TemplateError(KnownError):
    """A marked sample or a template file cannot make a template."""


@dataclass(frozen=True)
class TaughtTemplate:
    """The rules of one sender domain (field -> regex with a ``value`` group)."""

    domain: str
    platform: str = "paciolan"
    rules: Mapping[str, str] = field(default_factory=dict)
    version: int = 0

    def covers(self, address: str) -> bool:
        """True when ``address`` (email or domain) is from this template's domain."""
        domain = address.rsplit("@", 1)[-1].strip().strip(">").lower()
        return domain == self.domain or domain.endswith("." + self.domain)


@dataclass(frozen=True)
class Mark:
    """A selection in the shown text, assigned to a field."""

    field: str
    start: int
    end: int


def sender_domain(address: str) -> str:
    """The domain a template is kept for: the part after ``@``, lower case."""
    return address.rsplit("@", 1)[-1].strip().strip(">").lower()


def _shape(value: str) -> str:
    """A regex of the value's shape: digit runs, letter runs, spaces, punctuation."""
    out = []
    for token in re.findall(r"\d+|[^\W\d_]+|\s+|.", value):
        if token.isdigit():
            out.append(r"\d+")
        elif token.isspace():
            out.append(r"\s+")
        elif re.fullmatch(r"[^\W\d_]+", token):
            out.append(r"[^\W\d_]+")
        else:
            out.append(re.escape(token))
    return "".join(out)


def _anchor(before: str) -> list[str]:
    """The label words right before a value, up to the previous value (a word with a digit)."""
    words: list[str] = []
    for word in reversed(re.sub(r"[:#|\-–—.]+\s*$", "", before).split()):
        if re.search(r"\d", word) or len(words) >= MAX_ANCHOR_WORDS:
            break
        words.insert(0, word)
    return words


def _words(text: str) -> str:
    return r"\s+".join(re.escape(w) for w in text.split())


def derive_rule(text: str, mark: Mark) -> str:
    """The rule for one marked value.

    Raises:
        TemplateError: an unknown field, an empty selection, or nothing to anchor on.
    """
    if mark.field not in TEACHABLE_FIELDS:
        raise TemplateError(f"cannot teach field {mark.field!r}; one of "
                            f"{', '.join(TEACHABLE_FIELDS)}")
    value = text[mark.start:mark.end]
    if not value.strip() or mark.start < 0 or mark.end > len(text):
        raise TemplateError("select the value in the notice first")
    line_start = text.rfind("\n", 0, mark.start) + 1
    line_end = text.find("\n", mark.end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:mark.start]
    after = text[mark.end:line_end]
    to_line_end = not re.search(r"[\w]", after)
    if mark.field == "seats":
        value_re = rf"(?P<value>{_SEAT_VALUE})"
    elif to_line_end:
        value_re = r"(?P<value>[^\n]*?[^\s.,;:|][^\n]*?)[ \t.,;:|]*$"
    else:
        value_re = rf"(?P<value>{_shape(value.strip())})"
    anchor_words = _anchor(before)
    if anchor_words:
        return rf"(?<![\w]){_words(' '.join(anchor_words))}{_SEPARATORS}{value_re}"
    above_end = line_start - 1
    previous = [ln for ln in text[:max(above_end, 0)].split("\n") if ln.strip()]
    if not previous:
        raise TemplateError(f"nothing before the {mark.field} to anchor on; select a value "
                            "that follows a label or a heading")
    heading = " ".join(_anchor(previous[-1]) or previous[-1].split()[-MAX_ANCHOR_WORDS:])
    return rf"{_words(heading)}[ \t:#|\-–—.]*\n\s*{value_re}"


def derive_template(
    text: str, marks: list[Mark], domain: str, platform: str = "paciolan",
    base: Mapping[str, str] | None = None,
) -> TaughtTemplate:
    """A template from the marked sample (on top of ``base``, an earlier version's rules).

    Each rule must read its own value back from the sample, or it is refused.
    """
    rules = dict(base or {})
    for mark in marks:
        rule = derive_rule(text, mark)
        found = re.search(rule, text, re.IGNORECASE | re.MULTILINE)
        wanted = clean_value(text[mark.start:mark.end])
        if not found or wanted not in clean_value(found["value"]) and clean_value(
                found["value"]) not in wanted:
            raise TemplateError(f"the {mark.field} rule does not read the selected value back")
        rules[mark.field] = rule
    if not rules:
        raise TemplateError("assign at least one value to a field")
    return TaughtTemplate(domain=domain.lower(), platform=platform, rules=rules)


def apply_rules(rules: Mapping[str, str], text: str) -> dict[str, str]:
    """The values the rules read in ``text`` (a broken rule is skipped, never raised)."""
    values: dict[str, str] = {}
    for name, rule in rules.items():
        try:
            found = re.search(rule, text, re.IGNORECASE | re.MULTILINE)
        except re.error:
            continue
        if found and found.groupdict().get("value"):
            value = clean_value(found["value"])
            if value:
                values[name] = value
    return values


def validate_rules(rules: object) -> dict[str, str]:
    """Rules from a file or the database, checked.

    Raises:
        TemplateError: not a mapping of known fields to regexes with a ``value`` group.
    """
    if not isinstance(rules, dict) or not rules:
        raise TemplateError("rules must be a non-empty table of field = regex")
    checked = {}
    for name, rule in rules.items():
        if name not in TEACHABLE_FIELDS or not isinstance(rule, str):
            raise TemplateError(f"unknown field or rule: {name!r}")
        try:
            compiled = re.compile(rule)
        except re.error as exc:
            raise TemplateError(f"{name}: invalid regular expression: {exc}") from exc
        if "value" not in compiled.groupindex:
            raise TemplateError(f"{name}: the rule needs a (?P<value>...) group")
        checked[name] = rule
    return checked
