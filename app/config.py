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

    [[webhooks]]                  # docs/integration.md; secret: keyring webhook:<name>
    name = "market"
    url = "https://market.example/hooks/transferdesk"
    events = ["verified", "rejected", "expired", "captured", "cancelled"]

    [deadlines]
    warn_before = ["24h", "4h", "1h"]   # the default: warnings before accept-by, event, hold
    sweep_interval = 30                 # seconds between deadline sweeps (expiry within 1 min)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs

from app import config_schema as schema
from app.database_url import check_database_url
from app.domain.deadlines import DEFAULT_WARN_BEFORE, parse_lead_times
from app.errors import ConfigError

APP_NAME = "TransferDesk"
ENV_PREFIX = "TRANSFERDESK_"
SECRET_WORDS = ("password", "secret", "api_key", "token")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

CHROMIUM_FLAGS: tuple[str, ...] = (  # the sandbox stays on: see automation.browser_launch
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
    port: int = field(default=993, metadata={"min": 1, "max": 65535})
    tls: bool = True
    folder: str = "INBOX"
    processed_folder: str | None = None


@dataclass(frozen=True)
class WebhookSettings:
    """One webhook endpoint (docs/integration.md). The signing secret is in the keyring under
    ``webhook:<name>``; a URL that itself carries a token (Slack) goes there too, as
    ``webhook_url:<name>``, and ``url`` is then left out."""

    name: str
    url: str | None = None
    events: tuple[str, ...] = ()
    format: str = "json"
    timeout: float = 10.0


@dataclass(frozen=True)
class DeadlineSettings:
    """The deadline sweeper: lead times of the warnings and how often it sweeps."""

    warn_before: tuple[timedelta, ...] = DEFAULT_WARN_BEFORE
    sweep_interval: float = 30.0


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build it with :func:`load_settings`."""

    data_dir: Path
    config_path: Path
    database_url: str | None = None
    display_name: str = ""
    browser: BrowserSettings = field(default_factory=BrowserSettings)
    mailboxes: tuple[MailboxSettings, ...] = ()
    webhooks: tuple[WebhookSettings, ...] = ()
    deadlines: DeadlineSettings = field(default_factory=DeadlineSettings)
    evidence_max_bytes: int = field(default=25 * 1024 * 1024, metadata={"min": 1})
    max_attempts: int = field(default=5, metadata={"min": 1})
    #: blocked runs of one site within the window open its breaker, which pauses the site's
    #: automation for the cooldown (docs/portals.md)
    breaker_blocks: int = field(default=3, metadata={"min": 1})
    breaker_window_minutes: float = 10.0
    breaker_cooldown_minutes: float = 30.0
    stripe_api_base: str | None = None
    log_level: str = field(default="INFO", metadata={"choices": LOG_LEVELS})

    @property
    def uses_embedded_database(self) -> bool:
        """True when no database URL is configured and the private cluster is used."""
        return self.database_url is None

    @property
    def local_cluster_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster lives."""
        return self.data_dir / "postgres"


#: Settings keys that are tables of their own, built from their dataclasses.
NESTED = frozenset({"browser", "mailboxes", "webhooks", "deadlines"})


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
    top = schema.build(Settings, raw, str(path), nested=NESTED, hidden=frozenset({"config_path"}),
                       require=False)
    if top.get("database_url") is not None:
        check_database_url(top["database_url"], f"{path}: database_url")
    browser = BrowserSettings(**schema.build(BrowserSettings, raw.get("browser", {}),
                                             f"{path} [browser]"))
    mailboxes = _tables(MailboxSettings, raw, "mailboxes", path)
    webhooks = _tables(WebhookSettings, raw, "webhooks", path)
    file_data_dir = top.pop("data_dir", None)
    data_dir = Path(env.get(ENV_PREFIX + "DATA_DIR") or file_data_dir or default_data_dir())
    deadlines = _deadlines(raw.get("deadlines", {}), f"{path} [deadlines]")
    settings = Settings(data_dir=data_dir, config_path=path, browser=browser,
                        mailboxes=mailboxes, webhooks=webhooks, deadlines=deadlines, **top)
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


def _tables(cls: Any, raw: dict[str, Any], key: str, path: Path) -> tuple[Any, ...]:
    """An array of tables (``[[key]]``), each checked against dataclass ``cls``."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        raise ConfigError(f"{path}: {key} must be an array of tables ([[{key}]]), "
                          f"got {schema.shown(items)}")
    return tuple(cls(**schema.build(cls, item, f"{path} [[{key}]] #{i + 1}"))
                 for i, item in enumerate(items))


def _deadlines(values: Any, where: str) -> DeadlineSettings:
    """The ``[deadlines]`` table (lead times are durations such as ``"4h"``)."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table, got {schema.shown(values)}")
    unknown = sorted(set(values) - {"warn_before", "sweep_interval"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    result = DeadlineSettings()
    if "warn_before" in values:
        leads = values["warn_before"]
        if not isinstance(leads, list) or not all(isinstance(v, str) for v in leads):
            raise ConfigError(f'{where}: warn_before must be a list like ["24h", "4h", "1h"], '
                              f"got {schema.shown(leads)}")
        try:
            result = replace(result, warn_before=parse_lead_times(leads))
        except ValueError as exc:
            raise ConfigError(f"{where}: warn_before: {exc}") from None
    if "sweep_interval" in values:
        interval = values["sweep_interval"]
        if isinstance(interval, bool) or not isinstance(interval, int | float) \
                or not 1 <= interval <= 60:
            raise ConfigError(f"{where}: sweep_interval must be 1 to 60 seconds, "
                              f"got {schema.shown(interval)}")
        result = replace(result, sweep_interval=float(interval))
    return result


def _apply_env(settings: Settings, env: dict[str, str]) -> Settings:
    browser = settings.browser
    if url := env.get(ENV_PREFIX + "DATABASE_URL"):
        check_database_url(url, ENV_PREFIX + "DATABASE_URL")
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
        browser = replace(browser, headless=schema.env_bool(ENV_PREFIX + "BROWSER_HEADLESS",
                                                            headless))
    return replace(settings, browser=browser)
