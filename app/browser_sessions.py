"""Where a portal account's saved browser session (its encrypted storage state) lives.

One session per site and username (:func:`session_key`): a changed site or username is a new
identity and never reuses the old one's cookies. The file name is a digest of the key
(:func:`session_file`), so it does not reveal the account; ``automation.browser.storage`` reads
and writes the files, the account services delete them (:func:`forget_saved_session`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The folder under the data dir that holds the ``*.state`` files.
SESSIONS_FOLDER = "browser"


def session_key(site_url: str, username: str) -> str:
    """The browser-session key of the account signing in to ``site_url`` as ``username``."""
    return f"{site_url}|{username}"


def session_file(directory: Path, key: str) -> Path:
    """The file holding the session ``key`` in ``directory``."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return directory / f"{digest}.state"


def forget_saved_session(directory: Path, key: str) -> bool:
    """Delete the saved session ``key``; True when there was one."""
    path = session_file(directory, key)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed
