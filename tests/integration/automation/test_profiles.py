"""Selector profiles: the shipped ones load, bad ones are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigError
from automation.portals.paciolan import STATE_TEXTS, PaciolanAdapter
from automation.portals.profile import (
    all_profiles,
    available_profiles,
    find_profile_file,
    load_profile,
)

NEEDED = ("email_field", "continue_button", "password_field", "sign_in_button", "code_field",
          "submit_code_button", "error_message", "account_marker", "pending_list",
          "pending_item", "pending_open", "owned_tickets", "owned_ticket", "accept_button",
          "transfer_seats", "confirmation", "bot_challenge")


@pytest.mark.parametrize("name", ["paciolan", "paciolan_legacy", "sandbox_paciolan",
                                  "sandbox_paciolan_alt"])
def test_every_profile_names_every_element_the_adapter_uses(name: str) -> None:
    profile = load_profile(name)
    missing = [element for element in NEEDED if not profile.specs(element)]
    assert missing == []
    assert all(profile.markers(key) for key, _ in STATE_TEXTS)
    assert profile.detect and all(profile.specs(element) for element in profile.detect)


def test_only_real_site_profiles_are_shipped_in_resources_portals() -> None:
    assert available_profiles() == ["paciolan", "paciolan_legacy"]
    assert set(available_profiles(("sandbox",))) == {"sandbox_paciolan", "sandbox_paciolan_alt"}
    sandbox = load_profile("sandbox_paciolan")
    adapter = PaciolanAdapter(sandbox, "http://127.0.0.1:1/tickets/x/")
    assert adapter.url("transfer", "", ref="tok") == "http://127.0.0.1:1/tickets/x/transfer/tok"


@pytest.mark.parametrize("name", ["paciolan", "paciolan_legacy"])
def test_real_profiles_hold_no_sandbox_only_selector(name: str) -> None:
    """Nothing the sandbox invented for its own layouts (ids, data-page hooks, labels)."""
    sandbox_only = set()
    for sandbox_name in ("sandbox_paciolan", "sandbox_paciolan_alt"):
        for specs in load_profile(sandbox_name).locators.values():
            sandbox_only |= {spec for spec in specs if spec.kind in ("css", "test_id")
                             and spec.value != "#px-captcha"}  # HUMAN's real widget id
    real = load_profile(name)
    shared = [spec.describe() for specs in real.locators.values() for spec in specs
              if spec in sandbox_only]
    assert shared == []
    assert all("data-page" not in spec.value for specs in real.locators.values()
               for spec in specs)


def test_modern_profile_declares_the_account_api() -> None:
    profile = load_profile("paciolan")
    assert profile.api["order_history"] == "pac-api/orderhistory-event/{season}/{event}"
    assert profile.api["token_header"] == "pac-authz"
    assert profile.specs("email_field")[0].value == "#signin-email-input"
    assert profile.specs("account_marker")[0].value == "my-account-container"


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


def test_an_override_beside_config_toml_beats_the_bundled_profile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "portals").mkdir()
    (tmp_path / "portals" / "paciolan.toml").write_text(
        'name = "paciolan"\n[locators]\naccept_button = [{ text = "Claim" }]\n',
        encoding="utf-8")
    profile = load_profile("paciolan")
    assert profile.source == str(tmp_path / "portals" / "paciolan.toml")
    assert [s.value for s in profile.specs("accept_button")] == ["Claim"]
    assert find_profile_file("paciolan_legacy") is not None
    assert find_profile_file("paciolan_legacy")[0] == "bundled"  # type: ignore[index]
    winners = {name: source for name, source, _ in all_profiles()}
    assert winners["paciolan"] == "override" and winners["sandbox_paciolan"] == "sandbox"


def test_unknown_profile_name_says_where_it_looked() -> None:
    with pytest.raises(ConfigError, match="no portal profile named 'nope'"):
        load_profile("nope")
