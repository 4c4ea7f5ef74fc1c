"""The parser on notices it was not written against (tests/unit/mail_heldout_samples.py).

Each sample's every expected field is asserted; the summary prints per-field accuracy and
holds the parser to never reading a field *wrong* (missing is allowed: it goes to review).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime

import pytest

from app.mail.parser import ParsedMessage, parse_message
from app.mail.teach import TaughtTemplate
from tests.unit.mail_heldout_samples import LATE_PREFIX, SAMPLES, HeldoutSample

_EVENT_FIELDS = ("event_name", "event_starts_at", "venue", "section", "row", "seats")
_DATE_FIELDS = {"event_starts_at", "expires_at"}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _text(value: object) -> str:
    return re.sub(r"\s+", " ", str(value).translate(_QUOTES)).strip().casefold()


def _same_date(expected: str, got: object) -> bool:
    if not isinstance(got, str):
        return False
    want, have = datetime.fromisoformat(expected), datetime.fromisoformat(got)
    if want.tzinfo is None:  # the notice names no zone: its wall-clock time must be right
        return have.replace(tzinfo=None) == want
    return have.tzinfo is not None and have == want


def _same(field: str, expected: object, got: object) -> bool:
    if field in _DATE_FIELDS and isinstance(expected, str):
        return _same_date(expected, got)
    if field == "seats":
        return [_text(s) for s in expected] == [_text(s) for s in got or []]  # type: ignore[attr-defined]
    if isinstance(expected, frozenset):
        return any(_same(field, one, got) for one in expected)
    if expected is None:
        return got in (None, "", [])
    return got is not None and _text(expected) == _text(got)


def _same_events(expected: tuple[Mapping[str, object], ...], got: object) -> bool:
    if not isinstance(got, list) or len(got) != len(expected):
        return False
    return all(
        _same(key, want[key], have.get(key)) for want, have in zip(expected, got, strict=True)
        for key in want
    )


def _parse(sample: HeldoutSample) -> ParsedMessage:
    taught = [TaughtTemplate(domain=domain) for domain in sample.taught_domains]
    return parse_message(sample.raw, taught=taught)


def _grade(sample: HeldoutSample) -> dict[str, str]:
    """``ok``, ``missing`` (the parser read nothing) or ``wrong`` for every expected field."""
    result = _parse(sample).to_json()
    grades: dict[str, str] = {}
    for field, want in sample.expected.items():
        got = result.get(field)
        if field == "events":
            ok = _same_events(want, got)  # type: ignore[arg-type]
        else:
            ok = _same(field, want, got)
        empty = got in (None, "", []) or (field == "kind" and got == "unrecognized")
        grades[field] = "ok" if ok else ("missing" if empty else "wrong")
    return grades


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_heldout_notice_fields(sample: HeldoutSample) -> None:
    result = _parse(sample).to_json()
    bad = {f: (sample.expected[f], result.get(f)) for f, g in _grade(sample).items() if g != "ok"}
    assert not bad, f"{sample.name}: expected vs parsed {bad}"


def accuracy_table(samples: list[HeldoutSample]) -> tuple[str, Counter[str]]:
    """Per-field ok/missing/wrong counts over ``samples``, as a printable table."""
    per_field: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for sample in samples:
        for field, grade in _grade(sample).items():
            per_field.setdefault(field, Counter())[grade] += 1
            totals[grade] += 1
    lines = [f"{'field':<18}{'ok':>5}{'missing':>9}{'wrong':>7}{'of':>5}{'accuracy':>10}"]
    for field, counts in per_field.items():
        n = sum(counts.values())
        lines.append(
            f"{field:<18}{counts['ok']:>5}{counts['missing']:>9}{counts['wrong']:>7}{n:>5}"
            f"{counts['ok'] / n:>10.0%}"
        )
    n = sum(totals.values())
    lines.append(
        f"{'all fields':<18}{totals['ok']:>5}{totals['missing']:>9}{totals['wrong']:>7}{n:>5}"
        f"{totals['ok'] / n:>10.0%}"
    )
    return "\n".join(lines), totals


def _corpora() -> dict[str, list[HeldoutSample]]:
    blind = [s for s in SAMPLES if not s.name.startswith(LATE_PREFIX)]
    late = [s for s in SAMPLES if s.name.startswith(LATE_PREFIX)]
    return {"blind (written before reading the parser)": blind,
            "late (written after the fixes)": late}


def test_heldout_accuracy_summary() -> None:
    corpora = _corpora()
    assert len(corpora["blind (written before reading the parser)"]) >= 24
    for title, samples in corpora.items():
        table, totals = accuracy_table(samples)
        print(f"\n{title}: {len(samples)} messages\n{table}")
        assert totals["wrong"] == 0, f"{title}: fields read wrong (worse than missing):\n{table}"


if __name__ == "__main__":
    for title, samples in _corpora().items():
        print(f"{title}: {len(samples)} messages\n{accuracy_table(samples)[0]}\n")
