"""Match a parsed notice event to the expected transfer. Pure scoring, no database.

Scoring rule (points; a candidate is an open transfer of the notice's platform):

====================================================  ======
signal                                                points
====================================================  ======
portal transfer reference equals the transfer's           +50
account: a notice recipient is the transfer's account     +20
event name equal (case/accents/punctuation ignored)       +30
  ...or sharing at least half of its words                +15
event date on the same calendar day                       +10
  ...on different days (both known)                       -30
seats: same set, and same section/row where both known    +30
  ...same set, section/row unknown on one side            +20
  ...overlapping sets                                      +5
  ...disjoint sets (both known)                           -30
seller email equal                                        +20
  ...or seller name equal                                 +10
====================================================  ======

A candidate whose account differs from every recipient of the notice is excluded outright (a
notice sent to account A never moves a transfer expected on account B). The best candidate is
**matched** only when it scores at least ``MATCH_THRESHOLD`` (60) **and** beats the runner-up
by at least ``MATCH_MARGIN`` (15). Otherwise the notice is **ambiguous** (two or more candidates
reach the threshold within the margin: a tie) or **unmatched** (nobody reaches it), and staff
link it by hand. Nothing is ever guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

MATCH_THRESHOLD = 60
MATCH_MARGIN = 15
MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"


@dataclass(frozen=True)
class Candidate:
    """What matching needs to know about one expected transfer."""

    id: int
    account_username: str | None
    event_name: str
    event_starts_at: datetime | None
    section: str
    row: str
    seats: tuple[str, ...]
    seller_name: str
    seller_email: str
    transfer_ref: str | None = None
    account_site_url: str | None = None


@dataclass(frozen=True)
class NoticeFacts:
    """What matching needs to know about one event of a notice."""

    recipients: tuple[str, ...]
    event_name: str | None
    event_starts_at: datetime | None
    section: str | None
    row: str | None
    seats: tuple[str, ...]
    seller_name: str | None
    seller_email: str | None
    transfer_ref: str | None = None


@dataclass(frozen=True)
class MatchDecision:
    """The verdict: ``status`` is matched / ambiguous / unmatched.

    Attributes:
        transfer_id: the matched transfer (None unless matched).
        score: the best score (None without candidates).
        ranked: (transfer id, score) of the best candidates, best first (at most 5).
    """

    status: str
    transfer_id: int | None
    score: float | None
    ranked: tuple[tuple[int, float], ...]


def normalize(text: str | None) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces."""
    if not text:
        return ""
    return _normalize(text)


@functools.lru_cache(maxsize=65_536)
def _normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@functools.lru_cache(maxsize=65_536)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.split() if w not in {"vs", "v", "at", "the", "and"})


@dataclass(frozen=True)
class _Keys:
    """One side's values as the rule compares them (normalized once, not once per pair)."""

    account: str
    event: str
    words: frozenset[str]
    starts: datetime | None
    seats: frozenset[str]
    section: str | None  # None when not stated at all (as opposed to stated but blank)
    row: str | None
    email: str
    name: str | None


def _keys(
    account: str | None, event: str | None, starts: datetime | None, seats: Iterable[str],
    section: str | None, row: str | None, email: str | None, name: str | None,
) -> _Keys:
    event_key = normalize(event)
    return _Keys(
        account=(account or "").lower(), event=event_key,
        words=_words(event_key) if event_key else frozenset(),
        starts=_naive(starts) if starts else None,
        seats=frozenset(s.strip().lstrip("0").upper() for s in seats),
        section=normalize(section) if section else None,
        row=normalize(row) if row else None, email=(email or "").lower(),
        name=normalize(name) if name else None,
    )


@functools.lru_cache(maxsize=65_536)
def _candidate_keys(candidate: Candidate) -> _Keys:
    return _keys(candidate.account_username, candidate.event_name, candidate.event_starts_at,
                 candidate.seats, candidate.section, candidate.row, candidate.seller_email,
                 candidate.seller_name)


def _notice_keys(notice: NoticeFacts) -> tuple[_Keys, frozenset[str]]:
    keys = _keys(None, notice.event_name, notice.event_starts_at, notice.seats, notice.section,
                 notice.row, notice.seller_email, notice.seller_name)
    return keys, frozenset(r.lower() for r in notice.recipients)


def score(notice: NoticeFacts, candidate: Candidate) -> float | None:
    """Score one candidate by the rule in the module docstring; None when excluded."""
    ours, recipients = _notice_keys(notice)
    return _score(ours, recipients, notice.transfer_ref, candidate)


def _score(
    ours: _Keys, recipients: frozenset[str], transfer_ref: str | None, candidate: Candidate
) -> float | None:
    theirs = _candidate_keys(candidate)
    points = 0.0
    if theirs.account and recipients:
        if theirs.account not in recipients:
            return None
        points += 20
    if transfer_ref and candidate.transfer_ref == transfer_ref:
        points += 50
    points += _event_points(ours, theirs)
    points += _seat_points(ours, theirs)
    if ours.email and ours.email == theirs.email:
        points += 20
    elif ours.name is not None and ours.name == (theirs.name or ""):
        points += 10
    return points


def _event_points(ours: _Keys, theirs: _Keys) -> float:
    points = 0.0
    if ours.event and ours.event == theirs.event:
        points += 30
    elif ours.event and theirs.event:
        a, b = ours.words, theirs.words
        if a and b and len(a & b) * 2 >= max(len(a), len(b)):
            points += 15
    if ours.starts and theirs.starts:
        same_day = abs(ours.starts - theirs.starts)
        points += 10 if same_day.total_seconds() <= 18 * 3600 else -30
    return points


def _naive(moment: datetime) -> datetime:
    """Wall-clock time: a notice may state local time without a zone."""
    return moment.replace(tzinfo=None)


def _seat_points(ours: _Keys, theirs: _Keys) -> float:
    if not ours.seats or not theirs.seats:
        return 0.0
    if ours.seats == theirs.seats:
        known = [(a, b) for a, b in ((ours.section, theirs.section), (ours.row, theirs.row))
                 if a is not None and b is not None]
        if known and all(a == b for a, b in known) and len(known) == 2:
            return 30.0
        if any(a != b for a, b in known):
            return 5.0  # same seat numbers in another section or row: weak
        return 20.0
    return 5.0 if ours.seats & theirs.seats else -30.0


def decide(notice: NoticeFacts, candidates: Iterable[Candidate]) -> MatchDecision:
    """Score every candidate and apply the threshold and margin rule."""
    ours, recipients = _notice_keys(notice)
    ref = notice.transfer_ref
    scored = sorted(
        ((s, c.id) for c in candidates if (s := _score(ours, recipients, ref, c)) is not None),
        key=lambda pair: (-pair[0], pair[1]),
    )
    ranked = tuple((cid, s) for s, cid in scored[:5])
    if not scored:
        return MatchDecision(UNMATCHED, None, None, ranked)
    best_score, best_id = scored[0]
    if best_score < MATCH_THRESHOLD:
        return MatchDecision(UNMATCHED, None, best_score, ranked)
    if len(scored) > 1 and best_score - scored[1][0] < MATCH_MARGIN:
        return MatchDecision(AMBIGUOUS, None, best_score, ranked)
    return MatchDecision(MATCHED, best_id, best_score, ranked)


def decide_all(
    notices: Sequence[NoticeFacts], candidates: Sequence[Candidate]
) -> list[MatchDecision]:
    """Decide each event of a multi-event notice; one transfer is never matched twice."""
    taken: set[int] = set()
    decisions = []
    for facts in notices:
        decision = decide(facts, [c for c in candidates if c.id not in taken])
        if decision.transfer_id is not None:
            taken.add(decision.transfer_id)
        decisions.append(decision)
    return decisions
