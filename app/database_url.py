"""Database URLs: refuse a password in one, refuse what is not PostgreSQL, mask one for display.

The database password never sits in config.toml or the environment: it lives in the keyring's
database slot (``database:<user>``, see :mod:`app.credentials`) and is added to the URL in
memory only when connecting (:func:`app.db.engine.resolve_database_url`).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from app.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_PASSWORD_PARAM = re.compile(r"(password=)[^&\s]*", re.IGNORECASE)
_USERINFO_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*(@)")


def password_in_url(url: str) -> bool:
    """True when a database URL carries a password (``user:secret@host`` or ``password=``)."""
    try:
        has_password = urlsplit(url).password is not None
    except ValueError:
        has_password = bool(_USERINFO_PASSWORD.search(url))
    return has_password or "password=" in url.lower()


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (safe to log or show)."""
    return _PASSWORD_PARAM.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1***\2", url))


def check_database_url(url: str, where: str) -> str:
    """Return ``url`` if it is a password-free PostgreSQL URL.

    Raises:
        ConfigError: it carries a password, or is not a ``postgresql://`` URL.
    """
    if password_in_url(url):
        raise ConfigError(
            f"{where}: the database URL {mask_url(url)} carries a password; remove it and store "
            "the password in the keyring's database slot (`transferdesk credentials set "
            "database <user>`)"
        )
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in POSTGRES_SCHEMES:
        raise ConfigError(
            f"{where}: {mask_url(url)!r} is not a PostgreSQL URL "
            "(expected postgresql://user@host/database)"
        )
    return url


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` added to its user (in memory only; never store the result)."""
    parts = urlsplit(url)
    if not parts.username:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))
