"""Write non-secret settings back to ``config.toml``, keeping everything else as it was.

The file is edited with tomlkit, so the keys this module does not touch, the comments and the
layout survive. Before anything is written the new text is loaded with
:func:`app.config.load_settings` (the same checks the app runs at start-up), so a file TransferDesk
writes is always one it can read: a secret-looking key, a password inside the database URL, a
wrong type or an unreadable existing file raise :class:`~app.errors.ConfigError` and the file is
left untouched. The write is atomic (a temporary file in the same directory, then a rename) and
keeps the file's permissions.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from app.config import MailboxSettings, Settings, load_settings
from app.database_url import password_in_url
from app.errors import ConfigError

#: Top-level keys the desktop may write, all text (everything else is left alone).
WRITABLE_KEYS = frozenset({"database_url", "display_name", "log_level"})


@dataclass(frozen=True)
class MailboxChange:
    """Add or update one ``[[mailboxes]]`` entry.

    Args:
        mailbox: the new values (``processed_folder`` None keeps what the file says).
        replaces: the entry's name in the file if it is being renamed (None: ``mailbox.name``).
    """

    mailbox: MailboxSettings
    replaces: str | None = None


def update_config(
    path: Path,
    values: Mapping[str, Any] | None = None,
    mailbox: MailboxChange | None = None,
) -> Settings:
    """Merge ``values`` (a None value removes the key) and ``mailbox`` into the config file.

    Returns:
        The settings as the app will load them from the new file (environment ignored).

    Raises:
        ConfigError: a key that is not writable or looks like a secret, a password in the
            database URL, a value the loader refuses, or an existing file that is not valid TOML.
            Nothing is written then.
    """
    document = _read(path)
    for key, value in (values or {}).items():
        _check_value(key, value)
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    if mailbox is not None:
        _merge_mailbox(document, mailbox)
    text = tomlkit.dumps(document)
    settings = _validated(path, text)
    _write_atomically(path, text)
    return settings


def _read(path: Path) -> TOMLDocument:
    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text("utf-8"))
    except (TOMLKitError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML, not changed: {exc}") from exc


def _check_value(key: str, value: Any) -> None:
    if key not in WRITABLE_KEYS:
        raise ConfigError(f"'{key}' cannot be written from the desktop (one of "
                          f"{', '.join(sorted(WRITABLE_KEYS))})")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"'{key}' must be text, not {type(value).__name__}")
    if key == "database_url" and value is not None and password_in_url(value):
        raise ConfigError("the database URL holds a password; store it in the keyring's database "
                          "slot (`transferdesk credentials set database <user>`), never in "
                          "config.toml")


def _merge_mailbox(document: TOMLDocument, change: MailboxChange) -> None:
    box = change.mailbox
    missing = [label for label, value in (("name", box.name), ("IMAP host", box.host),
                                          ("username", box.username)) if not value.strip()]
    if missing:
        raise ConfigError(f"the mailbox needs a {' and a '.join(missing)}")
    wanted = change.replaces or box.name
    entries = document.get("mailboxes")
    if entries is None:
        entries = tomlkit.aot()
        document["mailboxes"] = entries
    if not isinstance(entries, AoT):
        raise ConfigError("'mailboxes' in the config file is not an array of tables "
                          "([[mailboxes]]); fix it by hand first")
    by_name: dict[Any, Table] = {t.get("name"): t for t in entries}
    if wanted != box.name and box.name in by_name:
        raise ConfigError(f"a mailbox named {box.name!r} is already configured")
    target = by_name.get(wanted)
    if target is None:
        target = tomlkit.table()
        entries.append(target)
    fields: dict[str, Any] = {"name": box.name, "host": box.host, "port": box.port,
                              "tls": box.tls, "username": box.username, "folder": box.folder}
    if box.processed_folder is not None:
        fields["processed_folder"] = box.processed_folder
    for key, value in fields.items():
        target[key] = value


def _validated(path: Path, text: str) -> Settings:
    """Load ``text`` exactly as the app would; raise ConfigError naming ``path`` if refused."""
    with tempfile.TemporaryDirectory(prefix="td-config-") as scratch:
        candidate = Path(scratch) / "config.toml"
        candidate.write_text(text, "utf-8")
        try:
            loaded = load_settings(candidate, environ={})
        except ConfigError as exc:
            detail = str(exc).replace(str(candidate), str(path))
            raise ConfigError(f"not saved: {detail}") from exc
    return replace(loaded, config_path=path)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
