"""The matching rule, pure: scores, threshold, margin, account exclusion; reconnect backoff."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from app.mail.imap import backoff_delay
from app.mail.matching import (
    AMBIGUOUS,
    MATCHED,
    UNMATCHED,
    Candidate,
    NoticeFacts,
    decide,
    decide_all,
    normalize,
    score,
)

START = datetime(2026, 11, 28, 19, 30)
NOTICE = NoticeFacts(
    recipients=("desk@market.example",), event_name="Ducks vs. Beavers", event_starts_at=START,
    section="12", row="5", seats=("5", "6"), seller_name="Zoë Ångström",
    seller_email="zoe@example.se",
)
EXPECTED = Candidate(
    id=1, account_username="desk@market.example", event_name="DUCKS vs Beavers!",
    event_starts_at=START, section="12", row="5", seats=("6", "5"), seller_name="Zoe Angstrom",
    seller_email="ZOE@example.se",
)


def test_full_agreement_scores_every_signal() -> None:
    assert score(NOTICE, EXPECTED) == 20 + 30 + 10 + 30 + 20


def test_normalize_ignores_case_accents_and_punctuation() -> None:
    assert normalize("Zoë  Ångström!") == normalize("zoe angstrom")


def test_other_account_is_excluded() -> None:
    assert score(NOTICE, replace(EXPECTED, account_username="other@market.example")) is None
    assert decide(NOTICE, [replace(EXPECTED, account_username="x@y")]).status == UNMATCHED


def test_clear_winner_is_matched() -> None:
    weaker = replace(EXPECTED, id=2, seats=("7", "8"), seller_email="x@example.com",
                     seller_name="X")
    decision = decide(NOTICE, [weaker, EXPECTED])
    assert (decision.status, decision.transfer_id) == (MATCHED, 1)
    assert decision.ranked[0][0] == 1


def test_tie_is_ambiguous_and_never_guessed() -> None:
    decision = decide(NOTICE, [EXPECTED, replace(EXPECTED, id=2)])
    assert (decision.status, decision.transfer_id) == (AMBIGUOUS, None)


def test_low_score_is_unmatched() -> None:
    vague = replace(EXPECTED, seats=("30",), seller_email="", seller_name="Someone")
    decision = decide(NOTICE, [vague])
    assert decision.status == UNMATCHED and decision.score is not None and decision.score < 60


def test_different_day_counts_against() -> None:
    other_day = replace(EXPECTED, event_starts_at=datetime(2026, 12, 5, 19, 30))
    assert (score(NOTICE, other_day) or 0) < (score(NOTICE, EXPECTED) or 0) - 30


def test_one_transfer_is_never_matched_twice() -> None:
    decisions = decide_all([NOTICE, NOTICE], [EXPECTED])
    assert [d.status for d in decisions] == [MATCHED, UNMATCHED]


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 1.0, 30.0, rng) for n in range(10)]
    assert all(min(30.0, 2**n) / 2 <= d <= min(30.0, 2**n) for n, d in enumerate(delays))
    assert len(set(delays)) == len(delays)
