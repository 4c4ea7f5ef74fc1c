"""A small typed validator for config.toml: every value is checked against its dataclass field.

Field types drive the checks (``str``, ``int``, ``float`` (positive), ``bool``, ``Path``,
``tuple[str, ...]`` and their ``| None`` forms); a field's ``metadata`` may add ``min``/``max``
(integers) or ``choices`` (strings). Messages name the place and the value as TOML shows it, e.g.
``config.toml [browser]: args must be a list of strings, got 5``.
"""

from __future__ import annotations

import types
import typing
from dataclasses import Field, fields
from pathlib import Path
from typing import Any

from app.errors import ConfigError

#: Spellings accepted for a true/false environment variable.
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def shown(value: Any) -> str:
    """``value`` as the user wrote it in TOML (``true``, ``'no'``, ``5``, ``[1, 2]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def build(cls: Any, values: Any, where: str, *, nested: frozenset[str] = frozenset(),
          hidden: frozenset[str] = frozenset(), require: bool = True) -> dict[str, Any]:
    """Check ``values`` (a TOML table) against the fields of dataclass ``cls``.

    Args:
        nested: keys the caller builds itself (left out of the result).
        hidden: fields that may not come from the file (reported as unknown keys).
        require: report fields without a default that ``values`` lacks.

    Returns:
        The converted values (``Path``, tuples), ready for ``cls(**values)``.

    Raises:
        ConfigError: not a table, an unknown key, a missing required key or a wrong type.
    """
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table, got {shown(values)}")
    known = {f.name: f for f in fields(cls) if f.init and f.name not in hidden}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = [f.name for f in known.values() if _required(f) and f.name not in values]
    if require and missing:
        raise ConfigError(f"{where}: missing required key(s) {', '.join(missing)}")
    hints = typing.get_type_hints(cls)
    return {name: check(known[name], hints[name], value, where)
            for name, value in values.items() if name not in nested}


def check(spec: Field[Any], hint: Any, value: Any, where: str) -> Any:
    """One value against its field's type; the converted value."""
    name = spec.name
    options = [a for a in typing.get_args(hint) if a is not type(None)] if _is_union(hint) \
        else [hint]
    kind = options[0] if options else hint
    meta = spec.metadata
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {name} must be true or false, got {shown(value)}")
        return value
    if kind is int:
        low, high = meta.get("min"), meta.get("max")
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and (low is None or value >= low) and (high is None or value <= high):
            return value
        if low == 1 and high is None:
            raise ConfigError(f"{where}: {name} must be a positive integer, got {shown(value)}")
        span = f" from {low} to {high}" if low is not None and high is not None else ""
        raise ConfigError(f"{where}: {name} must be an integer{span}, got {shown(value)}")
    if kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise ConfigError(f"{where}: {name} must be a positive number, got {shown(value)}")
    if kind is Path:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: {name} must be a string (a folder path), "
                              f"got {shown(value)}")
        return Path(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name} must be a string, got {shown(value)}")
        choices = meta.get("choices")
        if choices and value.upper() not in choices:
            raise ConfigError(f"{where}: {name} must be one of {', '.join(choices)}, "
                              f"got {shown(value)}")
        return value
    if typing.get_origin(kind) is tuple and typing.get_args(kind)[0] is str:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: {name} must be a list of strings, got {shown(value)}")
        return tuple(value)
    raise TypeError(f"config field {name}: unsupported type {hint!r}")  # a bug, not bad input


def env_bool(name: str, raw: str) -> bool:
    """A true/false environment variable, strictly.

    Raises:
        ConfigError: not one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS`.
    """
    word = raw.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigError(f"{name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}; got {raw!r}")


def _required(spec: Field[Any]) -> bool:
    from dataclasses import MISSING

    return spec.default is MISSING and spec.default_factory is MISSING


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)
