"""Selector profiles: the shipped ones load, bad ones are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigError
from automation.portals.paciolan import STATE_TEXTS, PaciolanAdapter
from automation.portals.profile import available_profiles, load_profile

NEEDED = ("email_field", "continue_button", "password_field", "sign_in_button", "code_field",
          "submit_code_button", "error_message", "account_marker", "pending_list",
          "pending_item", "pending_open", "owned_tickets", "owned_ticket", "accept_button",
          "transfer_seats", "confirmation", "bot_challenge")


@pytest.mark.parametrize("name", ["paciolan", "paciolan_alt"])
def test_shipped_profiles_name_every_element_the_adapter_uses(name: str) -> None:
    profile = load_profile(name)
    assert name in available_profiles()
    missing = [element for element in NEEDED if not profile.specs(element)]
    assert missing == []
    assert all(profile.markers(key) for key, _ in STATE_TEXTS)
    adapter = PaciolanAdapter(profile, "http://127.0.0.1:1/tickets/x/")
    assert adapter.url("transfer", "", ref="tok") == "http://127.0.0.1:1/tickets/x/transfer/tok"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("platform = 'x'", "needs a 'name'"),
        ("name = 'x'\n[locators]\nbutton = [{ xpath = '//b' }]", "exactly one of"),
        ("name = 'x'\n[locators]\nbutton = 'css'", "must be a list of tables"),
        ("name = 'x'\n[texts]\nlocked = [1]", "list of strings"),
        ("name = [", "not valid TOML"),
    ],
)
def test_bad_profiles_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_profile(path)


def test_unknown_profile_name_says_where_it_looked() -> None:
    with pytest.raises(ConfigError, match="no portal profile named 'nope'"):
        load_profile("nope")
