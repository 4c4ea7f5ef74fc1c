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


def score(notice: NoticeFacts, candidate: Candidate) -> float | None:
    """Score one candidate by the rule in the module docstring; None when excluded."""
    points = 0.0
    recipients = {r.lower() for r in notice.recipients}
    account = (candidate.account_username or "").lower()
    if account and recipients:
        if account not in recipients:
            return None
        points += 20
    if notice.transfer_ref and candidate.transfer_ref == notice.transfer_ref:
        points += 50
    points += _event_points(notice, candidate)
    points += _seat_points(notice, candidate)
    if notice.seller_email and notice.seller_email.lower() == candidate.seller_email.lower():
        points += 20
    elif notice.seller_name and normalize(notice.seller_name) == normalize(candidate.seller_name):
        points += 10
    return points


def _event_points(notice: NoticeFacts, candidate: Candidate) -> float:
    points = 0.0
    ours, theirs = normalize(notice.event_name), normalize(candidate.event_name)
    if ours and ours == theirs:
        points += 30
    elif ours and theirs:
        a, b = _words(ours), _words(theirs)
        if a and b and len(a & b) * 2 >= max(len(a), len(b)):
            points += 15
    if notice.event_starts_at and candidate.event_starts_at:
        same_day = abs(_naive(notice.event_starts_at) - _naive(candidate.event_starts_at))
        points += 10 if same_day.total_seconds() <= 18 * 3600 else -30
    return points


def _naive(moment: datetime) -> datetime:
    """Wall-clock time: a notice may state local time without a zone."""
    return moment.replace(tzinfo=None)


def _seat_points(notice: NoticeFacts, candidate: Candidate) -> float:
    ours = {s.strip().lstrip("0").upper() for s in notice.seats}
    theirs = {s.strip().lstrip("0").upper() for s in candidate.seats}
    if not ours or not theirs:
        return 0.0
    if ours == theirs:
        known = [
            (normalize(a), normalize(b))
            for a, b in ((notice.section, candidate.section), (notice.row, candidate.row))
            if a and b
        ]
        if known and all(a == b for a, b in known) and len(known) == 2:
            return 30.0
        if any(a != b for a, b in known):
            return 5.0  # same seat numbers in another section or row: weak
        return 20.0
    return 5.0 if ours & theirs else -30.0


def decide(notice: NoticeFacts, candidates: Iterable[Candidate]) -> MatchDecision:
    """Score every candidate and apply the threshold and margin rule."""
    scored = sorted(
        ((s, c.id) for c in candidates if (s := score(notice, c)) is not None),
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
