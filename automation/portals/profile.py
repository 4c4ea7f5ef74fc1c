"""Selector profiles: how to find things on a portal's pages, as data (resources/portals/*.toml).

A profile maps logical element names (``email_field``, ``accept_button``, ...) to a list of
locator alternatives tried in order, and page states to text markers. A changed portal page is a
profile edit, not a code change. Each alternative is a TOML table with one of:

- ``role`` (+ optional ``name``, ``exact``): ``page.get_by_role(role, name=name)``
- ``label``: ``page.get_by_label(label)``;  ``placeholder``: ``page.get_by_placeholder(...)``
- ``text`` (+ optional ``exact``): ``page.get_by_text(text)``
- ``css``: ``page.locator(css)``;  ``test_id``: ``page.get_by_test_id(...)``
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page

from app.errors import ConfigError
from app.resources import resource_path, resources_root

SPEC_KEYS = ("role", "label", "placeholder", "text", "css", "test_id")


@dataclass(frozen=True)
class LocatorSpec:
    """One way to find an element."""

    kind: str
    value: str
    name: str | None = None
    exact: bool = False

    def resolve(self, page: Page) -> Locator:
        """The Playwright locator for this spec on ``page``."""
        if self.kind == "role":
            if self.name is None:
                return page.get_by_role(self.value)  # type: ignore[arg-type]
            return page.get_by_role(self.value, name=self.name, exact=self.exact)  # type: ignore[arg-type]
        if self.kind == "label":
            return page.get_by_label(self.value, exact=self.exact)
        if self.kind == "placeholder":
            return page.get_by_placeholder(self.value, exact=self.exact)
        if self.kind == "text":
            return page.get_by_text(self.value, exact=self.exact)
        if self.kind == "test_id":
            return page.get_by_test_id(self.value)
        return page.locator(self.value)

    def describe(self) -> str:
        """Short text for logs and drift messages."""
        extra = f" name={self.name!r}" if self.name else ""
        return f"{self.kind}={self.value!r}{extra}"


@dataclass(frozen=True)
class PortalProfile:
    """A loaded selector profile."""

    name: str
    platform: str
    source: str
    paths: Mapping[str, str]
    locators: Mapping[str, tuple[LocatorSpec, ...]]
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
    return PortalProfile(name, str(raw.get("platform", "paciolan")), source, paths, locators,
                         texts)


def _spec(alt: Any, where: str) -> LocatorSpec:
    if not isinstance(alt, dict):
        raise ConfigError(f"{where}: each alternative must be a table like {{ css = \"#id\" }}")
    kinds = [k for k in SPEC_KEYS if k in alt]
    if len(kinds) != 1:
        raise ConfigError(f"{where}: each alternative needs exactly one of {', '.join(SPEC_KEYS)}")
    kind = kinds[0]
    name = alt.get("name")
    return LocatorSpec(kind, str(alt[kind]), None if name is None else str(name),
                       bool(alt.get("exact", False)))


def load_profile(name_or_path: str | Path) -> PortalProfile:
    """Load ``resources/portals/<name>.toml`` (or a file path).

    Raises:
        ConfigError: the file is missing or invalid.
    """
    path = Path(name_or_path)
    if path.suffix != ".toml":
        try:
            path = resource_path("portals", f"{name_or_path}.toml")
        except FileNotFoundError:
            raise ConfigError(
                f"no portal profile named {name_or_path!r} in {resources_root() / 'portals'}"
            ) from None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"portal profile {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_profile(raw, str(path))


def available_profiles() -> list[str]:
    """Names of the profiles shipped in resources/portals/."""
    folder = resources_root() / "portals"
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
