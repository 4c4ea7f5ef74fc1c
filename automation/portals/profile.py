"""Selector profiles: how to find things on a portal's pages, as data (``*.toml``).

Where a profile named ``NAME`` is looked up, first match wins (see :func:`profile_sources`):
``<config dir>/portals/NAME.toml`` (a per-site override beside config.toml), the bundled
``resources/portals/NAME.toml`` (real sites only), then the sandbox-only test profiles in
``resources/sandbox/profiles/``.

A profile maps logical element names (``email_field``, ``accept_button``, ...) to a list of
locator alternatives tried in order, and page states to text markers. A changed portal page is a
profile edit, not a code change. Each alternative is a TOML table with one of:

- ``role`` (+ optional ``name``, ``exact``): ``page.get_by_role(role, name=name)``
- ``label``: ``page.get_by_label(label)``;  ``placeholder``: ``page.get_by_placeholder(...)``
- ``text`` (+ optional ``exact``): ``page.get_by_text(text)``
- ``css``: ``page.locator(css)``;  ``test_id``: ``page.get_by_test_id(...)``

``pattern = true`` makes a role's ``name`` (or a text, label, placeholder) a case-insensitive
regex: one alternative then covers a family of wordings ("Accept", "Accept Tickets", "Claim").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page

from app.config import default_config_path
from app.errors import ConfigError
from app.resources import resources_root

SPEC_KEYS = ("role", "label", "placeholder", "text", "css", "test_id")


@dataclass(frozen=True)
class LocatorSpec:
    """One way to find an element (``pattern``: ``name``/``text``/``label`` is a regex,
    case-insensitive, e.g. ``{ role = "button", name = "^(accept|claim)\\b", pattern = true }``)."""

    kind: str
    value: str
    name: str | None = None
    exact: bool = False
    pattern: bool = False

    def wanted(self, text: str) -> str | re.Pattern[str]:
        """``text`` as Playwright should match it: a string, or the compiled regex."""
        return re.compile(text, re.IGNORECASE) if self.pattern else text

    def resolve(self, page: Page | Locator) -> Locator:
        """The Playwright locator for this spec on ``page`` (or inside a locator)."""
        if self.kind == "role":
            if self.name is None:
                return page.get_by_role(self.value)  # type: ignore[arg-type]
            return page.get_by_role(self.value, name=self.wanted(self.name),  # type: ignore[arg-type]
                                    exact=self.exact)
        if self.kind == "label":
            return page.get_by_label(self.wanted(self.value), exact=self.exact)
        if self.kind == "placeholder":
            return page.get_by_placeholder(self.wanted(self.value), exact=self.exact)
        if self.kind == "text":
            return page.get_by_text(self.wanted(self.value), exact=self.exact)
        if self.kind == "test_id":
            return page.get_by_test_id(self.value)
        return page.locator(self.value)

    def describe(self) -> str:
        """Short text for logs and drift messages."""
        extra = f" name={self.name!r}" if self.name else ""
        return f"{self.kind}={self.value!r}{extra}{' (regex)' if self.pattern else ''}"


@dataclass(frozen=True)
class PortalProfile:
    """A loaded selector profile."""

    name: str
    platform: str
    source: str
    paths: Mapping[str, str]
    locators: Mapping[str, tuple[LocatorSpec, ...]]
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    api: Mapping[str, str] = field(default_factory=dict)
    detect: tuple[str, ...] = ()

    def specs(self, element: str) -> tuple[LocatorSpec, ...]:
        """The alternatives for ``element`` (empty when the profile does not name it)."""
        return self.locators.get(element, ())

    def path(self, key: str, default: str = "") -> str:
        """A URL path relative to the site URL."""
        return self.paths.get(key, default)

    def markers(self, key: str) -> tuple[str, ...]:
        """Text markers of a page state (lower-cased)."""
        return self.texts.get(key, ())


def parse_profile(raw: Mapping[str, Any], source: str) -> PortalProfile:
    """Validate a profile's TOML data.

    Raises:
        ConfigError: a missing name, an unknown locator kind, a wrong type.
    """
    try:
        name = str(raw["name"])
    except KeyError:
        raise ConfigError(f"{source}: a portal profile needs a 'name'") from None
    locators: dict[str, tuple[LocatorSpec, ...]] = {}
    for element, alternatives in dict(raw.get("locators", {})).items():
        if isinstance(alternatives, dict):
            alternatives = [alternatives]
        if not isinstance(alternatives, list) or not alternatives:
            raise ConfigError(f"{source}: locators.{element} must be a list of tables")
        locators[element] = tuple(_spec(alt, f"{source}: locators.{element}")
                                  for alt in alternatives)
    texts: dict[str, tuple[str, ...]] = {}
    for key, value in dict(raw.get("texts", {})).items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{source}: texts.{key} must be a string or a list of strings")
        texts[key] = tuple(v.lower() for v in values)
    paths = {str(k): str(v) for k, v in dict(raw.get("paths", {})).items()}
    api = {str(k): str(v) for k, v in dict(raw.get("api", {})).items()}
    detect = raw.get("detect", [d for d in ("email_field", "account_marker") if d in locators])
    if not isinstance(detect, list) or not all(d in locators for d in detect):
        raise ConfigError(f"{source}: detect must list elements named in [locators]")
    return PortalProfile(name, str(raw.get("platform", "paciolan")), source, paths, locators,
                         texts, api, tuple(str(d) for d in detect))


def _spec(alt: Any, where: str) -> LocatorSpec:
    if not isinstance(alt, dict):
        raise ConfigError(f"{where}: each alternative must be a table like {{ css = \"#id\" }}")
    kinds = [k for k in SPEC_KEYS if k in alt]
    if len(kinds) != 1:
        raise ConfigError(f"{where}: each alternative needs exactly one of {', '.join(SPEC_KEYS)}")
    kind = kinds[0]
    name = alt.get("name")
    spec = LocatorSpec(kind, str(alt[kind]), None if name is None else str(name),
                       bool(alt.get("exact", False)), bool(alt.get("pattern", False)))
    if spec.pattern:
        try:
            spec.wanted(spec.name if spec.kind == "role" and spec.name else spec.value)
        except re.error as exc:
            raise ConfigError(f"{where}: not a valid regex ({exc})") from None
    return spec


#: Where profiles come from, in the order a name is looked up.
SOURCES = ("override", "bundled", "sandbox")


def override_dir() -> Path:
    """``portals/`` beside config.toml: per-site profiles that beat the bundled ones."""
    return default_config_path().parent / "portals"


def profile_sources() -> list[tuple[str, Path]]:
    """``(source, folder)`` pairs in lookup order (works in the frozen app too)."""
    root = resources_root()
    return [("override", override_dir()), ("bundled", root / "portals"),
            ("sandbox", root / "sandbox" / "profiles")]


def find_profile_file(name: str) -> tuple[str, Path] | None:
    """The source and file of the profile called ``name`` (first in lookup order), or None."""
    for source, folder in profile_sources():
        path = folder / f"{name}.toml"
        if path.is_file():
            return source, path
    return None


def load_profile(name_or_path: str | Path) -> PortalProfile:
    """Load the profile called ``name`` (override, bundled, sandbox) or a ``.toml`` file.

    Raises:
        ConfigError: the file is missing or invalid.
    """
    path = Path(name_or_path)
    if path.suffix != ".toml":
        found = find_profile_file(str(name_or_path))
        if found is None:
            where = ", ".join(str(folder) for _, folder in profile_sources())
            raise ConfigError(f"no portal profile named {name_or_path!r} in {where}")
        path = found[1]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"portal profile {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_profile(raw, str(path))


def available_profiles(sources: tuple[str, ...] = ("bundled",)) -> list[str]:
    """Names of the profiles in ``sources`` (default: those shipped for real sites)."""
    names: set[str] = set()
    for source, folder in profile_sources():
        if source in sources and folder.is_dir():
            names.update(p.stem for p in folder.glob("*.toml"))
    return sorted(names)


def all_profiles() -> list[tuple[str, str, Path]]:
    """Every profile name with the source and file that wins for it, override first."""
    seen: dict[str, tuple[str, str, Path]] = {}
    for source, folder in profile_sources():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                seen.setdefault(path.stem, (path.stem, source, path))
    return sorted(seen.values())
