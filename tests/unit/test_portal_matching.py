"""Text matching for portal pages (case, punctuation, spacing) and regex alternatives."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from automation.portals.matching import mentions, pending_match
from automation.portals.profile import parse_profile
from automation.portals.protocol import TransferTarget

TARGET = TransferTarget(transfer_id=1, accept_url=None, transfer_ref=None,
                        event_name="Football vs. Riverside", section="104", row="12",
                        seats=("7", "8"))


def test_event_names_match_across_case_and_punctuation_but_not_inside_words() -> None:
    assert mentions("FOOTBALL VS RIVERSIDE (10/10/2026)", "Football vs. Riverside")
    assert not mentions("Football vs. Riversidetown", "Football vs. Riverside")
    assert not mentions("anything", "")


def test_pending_entry_is_the_one_naming_the_event_narrowed_by_seats() -> None:
    entries = ["Basketball vs. Northfield · 1 ticket", "Football vs. Riverside · 2 tickets"]
    assert pending_match(entries, TARGET) == 1
    two = ["Football vs. Riverside · Sec 104 Row 12 Seats 1, 2",
           "Football vs. Riverside · Sec 104 Row 12 Seats 7, 8"]
    assert pending_match(two, TARGET) == 1
    assert pending_match(["Football vs. Riverside · 2 tickets"] * 2, TARGET) is None
    assert pending_match(["Basketball vs. Northfield"], TARGET) is None


def test_a_pattern_alternative_must_be_a_valid_regex() -> None:
    raw = {"name": "x", "locators": {"accept_button": [
        {"role": "button", "name": "^(accept|claim", "pattern": True}]}}
    with pytest.raises(ConfigError, match="not a valid regex"):
        parse_profile(raw, "x.toml")
    raw["locators"]["accept_button"][0]["name"] = "^(accept|claim)$"
    spec = parse_profile(raw, "x.toml").specs("accept_button")[0]
    assert spec.pattern and "(regex)" in spec.describe()
