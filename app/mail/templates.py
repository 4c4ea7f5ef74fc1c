"""Per-platform notice templates, loaded from ``resources/mail/<platform>.toml``.

The patterns are data so a changed portal email is fixed by editing a TOML file; this module
only validates and compiles them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import ConfigError
from app.resources import resource_path

PLATFORMS = ("paciolan",)
FIELD_NAMES = (
    "sender", "event_name", "event_starts_at", "venue", "section", "row", "seats", "quantity",
    "accept_url", "transfer_ref", "expires_at", "expires_within_hours", "code",
)


@dataclass(frozen=True)
class Template:
    """Compiled patterns of one platform.

    Attributes:
        platform: short platform name (``paciolan``).
        sender_domains: email domains the portal sends from (subdomains match).
        subjects: message kind -> subject patterns.
        fields: field name -> patterns tried in order.
        key_fields: message kind -> fields whose absence means template drift.
    """

    platform: str
    sender_domains: tuple[str, ...]
    subjects: dict[str, tuple[re.Pattern[str], ...]]
    fields: dict[str, tuple[re.Pattern[str], ...]]
    key_fields: dict[str, tuple[str, ...]]

    def is_sender_domain(self, address: str) -> bool:
        """True when ``address`` (an email address or a bare domain) belongs to the portal."""
        domain = address.rsplit("@", 1)[-1].strip().strip(">").lower()
        return any(domain == d or domain.endswith("." + d) for d in self.sender_domains)

    def patterns(self, field: str) -> tuple[re.Pattern[str], ...]:
        """The patterns of ``field`` (empty when the template does not define it)."""
        return self.fields.get(field, ())


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{where}: expected a list of regular expressions")
    try:
        return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid regular expression: {exc}") from exc


def template_from_toml(path: Path) -> Template:
    """Load and compile one template file.

    Raises:
        ConfigError: the file is not valid TOML or holds an invalid pattern.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot load mail template: {exc}") from exc
    subjects = {
        kind: _compile(pats, f"{path} [subjects] {kind}")
        for kind, pats in raw.get("subjects", {}).items()
    }
    fields = {
        name: _compile(pats, f"{path} [fields] {name}")
        for name, pats in raw.get("fields", {}).items()
    }
    unknown = sorted(set(fields) - set(FIELD_NAMES))
    if unknown:
        raise ConfigError(f"{path}: unknown field(s) {', '.join(unknown)}")
    key_fields = {
        kind: tuple(raw.get(f"key_fields_{kind}", ()))
        for kind in ("transfer_notice", "verification_code")
    }
    return Template(
        platform=str(raw.get("platform", path.stem)),
        sender_domains=tuple(d.lower() for d in raw.get("sender_domains", ())),
        subjects=subjects,
        fields=fields,
        key_fields=key_fields,
    )


@functools.cache
def load_templates() -> tuple[Template, ...]:
    """Every shipped platform template (cached; the files are read once per process)."""
    return tuple(template_from_toml(resource_path("mail", f"{p}.toml")) for p in PLATFORMS)
