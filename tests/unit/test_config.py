"""Settings: defaults, the TOML file, environment overrides, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import CHROMIUM_FLAGS, load_settings
from app.errors import ConfigError, KnownError


def _load(tmp_path: Path, toml: str | None, **env: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ={"TRANSFERDESK_DATA_DIR": str(tmp_path / "data"), **env})


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = _load(tmp_path, None)
    assert settings.uses_embedded_database
    assert settings.data_dir == tmp_path / "data"
    assert settings.local_cluster_dir == tmp_path / "data" / "postgres"
    assert settings.browser.headless is True
    assert settings.browser.args == CHROMIUM_FLAGS
    assert settings.mailboxes == ()
    assert settings.max_attempts == 5


def test_file_values_are_read(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        """
database_url = "postgresql://staff@db.internal/transferdesk"
max_attempts = 3
[browser]
channel = "msedge"
headless = false
args = ["--no-sandbox"]
[[mailboxes]]
name = "transfers"
host = "imap.example.com"
username = "transfers@example.com"
""",
    )
    assert settings.database_url == "postgresql://staff@db.internal/transferdesk"
    assert not settings.uses_embedded_database
    assert settings.max_attempts == 3
    assert settings.browser.channel == "msedge" and settings.browser.headless is False
    assert settings.browser.args == ("--no-sandbox",)
    (mailbox,) = settings.mailboxes
    assert (mailbox.name, mailbox.port, mailbox.tls) == ("transfers", 993, True)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("colour = 'blue'", "unknown key.*colour"),
        ("[browser]\nzoom = 2", r"\[browser\]: unknown key.*zoom"),
        ("[[mailboxes]]\nname = 'a'\nhost = 'h'\nusername = 'u'\nfolders = 1", "#1: unknown"),
        ("max_attempts = 0", "positive integer"),
        ("evidence_max_bytes = 'big'", "positive integer"),
        ("[[mailboxes]]\nname = 'only-a-name'", r"mailboxes\]\] #1"),
        ("browser = 3", "expected a table"),
        ("database_url = [unclosed", "not valid TOML"),
        ("[browser]\nargs = 5", r"\[browser\]: args must be a list of strings, got 5"),
        ("[browser]\nargs = ['--x', 1]", "args must be a list of strings"),
        ("[browser]\nheadless = 'no'", "headless must be true or false, got 'no'"),
        ("max_attempts = true", "max_attempts must be a positive integer, got true"),
        ("[[mailboxes]]\nname = 'a'\nhost = 'h'\nusername = 'u'\nport = 'abc'",
         "port must be an integer from 1 to 65535, got 'abc'"),
        ("[[mailboxes]]\nname = 'a'\nhost = 'h'\nusername = 'u'\nport = 70000",
         "port must be an integer from 1 to 65535, got 70000"),
        ("mailboxes = 5", r"mailboxes must be an array of tables \(\[\[mailboxes\]\]\), got 5"),
        ("database_url = 5", "database_url must be a string, got 5"),
        ("data_dir = 5", "data_dir must be a string"),
        ("log_level = 'LOUD'", "log_level must be one of DEBUG"),
        ("database_url = 'postgresql://alice:pw@db/td'", "carries a password.*keyring"),
        ("database_url = 'mysql://alice@db/td'", "not a PostgreSQL URL"),
    ],
)
def test_bad_file_is_a_clear_config_error(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _load(tmp_path, toml)
    assert isinstance(caught.value, KnownError)
    assert str(tmp_path / "config.toml") in str(caught.value)


@pytest.mark.parametrize(
    "toml",
    [
        "stripe_secret_key = 'sk_live_x'",
        "db_password = 'hunter2'",
        "[[mailboxes]]\nname = 'm'\nhost = 'h'\nusername = 'u'\npassword = 'hunter2'",
        "[browser]\napi_key = 'x'",
        "[extra]\nauth_token = 'x'",
    ],
)
def test_secret_keys_are_refused_without_echoing_the_value(tmp_path: Path, toml: str) -> None:
    with pytest.raises(ConfigError, match="looks like a secret.*keyring") as caught:
        _load(tmp_path, toml)
    for value in ("sk_live_x", "hunter2"):
        assert value not in str(caught.value)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        "database_url = 'postgresql://file/db'\n[browser]\nchannel = 'chrome'\nheadless = false",
        TRANSFERDESK_DATABASE_URL="postgresql://env/db",
        TRANSFERDESK_BROWSER_CHANNEL="msedge",
        TRANSFERDESK_BROWSER_PATH="/opt/chromium/chrome",
        TRANSFERDESK_BROWSER_HEADLESS="1",
        TRANSFERDESK_DISPLAY_NAME="Dana (desk 3)",
        TRANSFERDESK_STRIPE_API_BASE="http://127.0.0.1:8420",
    )
    assert settings.database_url == "postgresql://env/db"
    assert settings.browser.channel == "msedge"
    assert settings.browser.executable_path == "/opt/chromium/chrome"
    assert settings.browser.headless is True
    assert settings.display_name == "Dana (desk 3)"
    assert settings.stripe_api_base == "http://127.0.0.1:8420"


@pytest.mark.parametrize(("raw", "headless"), [("0", False), ("false", False), ("No", False),
                                               ("yes", True), ("true", True)])
def test_headless_env_values(tmp_path: Path, raw: str, headless: bool) -> None:
    assert _load(tmp_path, None, TRANSFERDESK_BROWSER_HEADLESS=raw).browser.headless is headless


def test_data_dir_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"data_dir = '{tmp_path / 'from-file'}'", encoding="utf-8")
    assert load_settings(path, environ={}).data_dir == tmp_path / "from-file"


def test_data_dir_env_beats_the_file(tmp_path: Path) -> None:
    settings = _load(tmp_path, f"data_dir = '{tmp_path / 'from-file'}'")
    assert settings.data_dir == tmp_path / "data"


def test_config_path_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text("display_name = 'from env path'", encoding="utf-8")
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(path))
    monkeypatch.setenv("TRANSFERDESK_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.config_path == path
    assert settings.display_name == "from env path"


@pytest.mark.parametrize(("env", "message"), [
    ({"TRANSFERDESK_DATABASE_URL": "postgresql://a:S3cret@db/td"}, "carries a password"),
    ({"TRANSFERDESK_DATABASE_URL": "postgresql://db/td?password=S3cret"}, "carries a password"),
    ({"TRANSFERDESK_DATABASE_URL": "sqlite:///x.db"}, "not a PostgreSQL URL"),
    ({"TRANSFERDESK_BROWSER_HEADLESS": "nope"}, "TRANSFERDESK_BROWSER_HEADLESS must be one of"),
])
def test_bad_environment_is_a_clear_config_error(tmp_path: Path, env: dict[str, str],
                                                 message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _load(tmp_path, None, **env)
    assert "S3cret" not in str(caught.value)


@pytest.mark.parametrize(("raw", "headless"), [("0", False), ("off", False), ("Yes", True)])
def test_headless_environment_words(tmp_path: Path, raw: str, headless: bool) -> None:
    assert _load(tmp_path, None, TRANSFERDESK_BROWSER_HEADLESS=raw).browser.headless is headless


def test_mask_url_hides_every_password() -> None:
    from app.database_url import mask_url

    assert mask_url("mysql://alice:S3cretPassw0rd@db:5432/x") == "mysql://alice:***@db:5432/x"
    assert mask_url("postgresql://db/x?password=S3cret&sslmode=require") == \
        "postgresql://db/x?password=***&sslmode=require"
    assert mask_url("postgresql://alice@db/x") == "postgresql://alice@db/x"


def test_number_settings_take_integers_and_decimals(tmp_path: Path) -> None:
    """Float fields (a webhook's ``timeout``, the breaker's minutes) are checked, not a crash."""
    path = tmp_path / "config.toml"
    path.write_text('breaker_window_minutes = 5\nbreaker_cooldown_minutes = 12.5\n'
                    '[[webhooks]]\nname = "market"\nurl = "https://market.example/hooks"\n'
                    'timeout = 2.5\nevents = ["verified"]\n')
    settings = load_settings(path, {"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    assert settings.webhooks[0].timeout == 2.5 and settings.webhooks[0].events == ("verified",)
    assert (settings.breaker_window_minutes, settings.breaker_cooldown_minutes) == (5.0, 12.5)
    for bad in ('timeout = "soon"', "timeout = true", "timeout = -1"):
        path.write_text(f'[[webhooks]]\nname = "market"\n{bad}\n')
        with pytest.raises(ConfigError, match="timeout must be a positive number"):
            load_settings(path, {"TRANSFERDESK_DATA_DIR": str(tmp_path)})
