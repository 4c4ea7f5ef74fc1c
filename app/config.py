"""Typed settings: defaults, then the TOML file, then ``TRANSFERDESK_*`` environment variables.

The file lives at ``<user config dir>/config.toml`` (override with ``TRANSFERDESK_CONFIG``).
No secret is ever read from here: passwords and API keys live in the OS keyring
(see ``app.credentials``); a key that looks like a secret is rejected with a clear error.

Example::

    database_url = "postgresql://staff@db.internal/transferdesk"   # omit for the embedded cluster
    display_name = "Dana (desk 3)"

    [browser]
    channel = "msedge"            # or "chrome"; or executable_path = "/usr/bin/chromium"
    headless = false

    [[mailboxes]]
    name = "transfers"
    host = "imap.example.com"
    username = "transfers@example.com"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from app.errors import ConfigError

APP_NAME = "TransferDesk"
ENV_PREFIX = "TRANSFERDESK_"
SECRET_WORDS = ("password", "secret", "api_key", "token")

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class BrowserSettings:
    """Which browser Playwright drives. ``channel`` wins over ``executable_path``."""

    channel: str | None = None
    executable_path: str | None = None
    headless: bool = True
    args: tuple[str, ...] = CHROMIUM_FLAGS


@dataclass(frozen=True)
class MailboxSettings:
    """One IMAP mailbox to watch; its password is in the keyring under ``mailbox:<name>``."""

    name: str
    host: str
    username: str
    port: int = 993
    tls: bool = True
    folder: str = "INBOX"
    processed_folder: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build it with :func:`load_settings`."""

    data_dir: Path
    config_path: Path
    database_url: str | None = None
    display_name: str = ""
    browser: BrowserSettings = field(default_factory=BrowserSettings)
    mailboxes: tuple[MailboxSettings, ...] = ()
    evidence_max_bytes: int = 25 * 1024 * 1024
    max_attempts: int = 5
    breaker_blocks: int = 3  # blocked runs of one site within the window open its breaker...
    breaker_window_minutes: float = 10.0
    breaker_cooldown_minutes: float = 30.0  # ...which pauses the site's automation this long
    stripe_api_base: str | None = None
    log_level: str = "INFO"

    @property
    def uses_embedded_database(self) -> bool:
        """True when no database URL is configured and the private cluster is used."""
        return self.database_url is None

    @property
    def local_cluster_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster lives."""
        return self.data_dir / "postgres"


def default_config_path() -> Path:
    """Return the config file path (``TRANSFERDESK_CONFIG`` or the platform's config dir)."""
    override = os.environ.get(ENV_PREFIX + "CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_data_dir() -> Path:
    """Return the data dir (``TRANSFERDESK_DATA_DIR`` or the platform's user data dir)."""
    override = os.environ.get(ENV_PREFIX + "DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(
    config_path: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Load settings from defaults, the TOML file (if present) and the environment.

    Raises:
        ConfigError: the file is not valid TOML, holds an unknown key, a wrong type or a secret.
    """
    env = dict(os.environ if environ is None else environ)
    path = config_path or default_config_path()
    raw = _read_toml(path)
    _reject_secrets(raw, str(path))
    file_data_dir = raw.pop("data_dir", None)
    data_dir = Path(env.get(ENV_PREFIX + "DATA_DIR") or file_data_dir or default_data_dir())
    settings = Settings(data_dir=data_dir, config_path=path)
    browser = _build(BrowserSettings, raw.pop("browser", {}), f"{path} [browser]")
    mailboxes = tuple(
        _build(MailboxSettings, item, f"{path} [[mailboxes]] #{i + 1}")
        for i, item in enumerate(raw.pop("mailboxes", []))
    )
    settings = _apply(settings, raw, str(path))
    settings = replace(settings, browser=browser, mailboxes=mailboxes)
    return _apply_env(settings, env)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _reject_secrets(raw: dict[str, Any], where: str) -> None:
    for key, value in raw.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            raise ConfigError(
                f"{where}: '{key}' looks like a secret; secrets belong in the OS keyring "
                "(Settings > Credentials, or `transferdesk credentials set`), not in the file"
            )
        if isinstance(value, dict):
            _reject_secrets(value, where)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _reject_secrets(item, where)


def _build(cls: Any, values: dict[str, Any], where: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if "args" in values:
        values = {**values, "args": tuple(values["args"])}
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _apply(settings: Settings, raw: dict[str, Any], where: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"browser", "mailboxes", "config_path"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for key in ("evidence_max_bytes", "max_attempts", "breaker_blocks"):
        if key in raw and not (isinstance(raw[key], int) and raw[key] > 0):
            raise ConfigError(f"{where}: {key} must be a positive integer")
    for key in ("breaker_window_minutes", "breaker_cooldown_minutes"):
        if key in raw and not (isinstance(raw[key], int | float) and raw[key] > 0):
            raise ConfigError(f"{where}: {key} must be a positive number (minutes)")
    return replace(settings, **raw)


def _apply_env(settings: Settings, env: dict[str, str]) -> Settings:
    browser = settings.browser
    if url := env.get(ENV_PREFIX + "DATABASE_URL"):
        settings = replace(settings, database_url=url)
    if name := env.get(ENV_PREFIX + "DISPLAY_NAME"):
        settings = replace(settings, display_name=name)
    if base := env.get(ENV_PREFIX + "STRIPE_API_BASE"):
        settings = replace(settings, stripe_api_base=base)
    if channel := env.get(ENV_PREFIX + "BROWSER_CHANNEL"):
        browser = replace(browser, channel=channel)
    if exe := env.get(ENV_PREFIX + "BROWSER_PATH"):
        browser = replace(browser, executable_path=exe)
    if (headless := env.get(ENV_PREFIX + "BROWSER_HEADLESS")) is not None:
        browser = replace(browser, headless=headless.strip().lower() not in ("0", "false", "no"))
    return replace(settings, browser=browser)
