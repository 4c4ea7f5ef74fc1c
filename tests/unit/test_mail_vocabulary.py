"""The kind vocabularies' word prefilter (a speed-up) never changes what they find."""

from __future__ import annotations

import itertools
import random

import pytest

from app.mail import labels
from app.mail.labels import Vocabulary

VOCABULARIES = {name: getattr(labels, name) for name in (
    "CODE_WORDS", "CANCELLED_WORDS", "ACCEPTED_WORDS", "REMINDER_WORDS", "PROMO_WORDS")}
PHRASES = (
    "Your sign-in code is 1234", "one-time PIN", "Use your 2FA", "OTP: 99", "passcode",
    "The transfer has been CANCELLED", "Seller took back the tickets", "has taken back the offer",
    "transfer revoked", "tickets were withdrawn", "Transfer voided", "rescinded the transfer",
    "You've successfully accepted", "Transfer Complete", "have been added to your account",
    "REMINDER", "still pending", "haven't yet been accepted", "Don't forget", "Expires today",
    "Last chance", "awaiting your acceptance", "Renewals", "Newsletter", "on sale now",
    "save 20%", "promo code", "Special Offer", "Donate", "Survey", "Seats 5-6 row B",
    "Avery Chen sent you 2 tickets.", "don’t forget", "Transfer cancelled — Café", "ſurvey",
    "\u212aeep your code", "Transfer \u0130D cancelled",
)


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_prefilter_agrees_with_the_pattern(name: str) -> None:
    vocabulary = VOCABULARIES[name]
    assert isinstance(vocabulary, Vocabulary)
    rng = random.Random(name)
    texts = [" ".join(pair) for pair in itertools.permutations(PHRASES, 2)]
    texts += ["\n".join(rng.sample(PHRASES, 5)) for _ in range(500)]
    found = 0
    for text in texts:
        for variant in (text, text.upper(), text.title()):
            expected = vocabulary.pattern.search(variant)
            assert bool(vocabulary.search(variant)) == bool(expected), variant
            found += expected is not None
    assert found  # the corpus exercises matches too, not only misses
