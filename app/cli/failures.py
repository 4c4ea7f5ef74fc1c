"""One line for the environment failures that reach the CLI as library exceptions.

:class:`~app.errors.KnownError` already carries its own message; this maps the rest that a user
can fix (database unreachable, refused login, a server that is not PostgreSQL) to one line, and
checks ``--log-level``. Anything else stays a bug with its traceback.
"""

from __future__ import annotations

import argparse

from app.config import LOG_LEVELS
from app.database_url import mask_url


def log_level(value: str) -> str:
    """argparse type for ``--log-level``: a known level name, upper-cased.

    Raises:
        argparse.ArgumentTypeError: not a level (a usage error, exit 2).
    """
    level = value.strip().upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a log level; use {', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}")
    return level


def explain(exc: BaseException) -> str | None:
    """The one line for ``exc`` when it is an environment problem, else None."""
    import psycopg
    import sqlalchemy.exc

    cause: BaseException = exc
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        cause = exc.orig
    if isinstance(cause, psycopg.OperationalError):
        detail = mask_url(str(cause).strip().splitlines()[0] if str(cause).strip() else "")
        return f"cannot connect to the database: {detail or type(cause).__name__}"
    if isinstance(exc, sqlalchemy.exc.ArgumentError | sqlalchemy.exc.NoSuchModuleError):
        return f"the database URL is not usable: {mask_url(str(exc).splitlines()[0])}"
    return None
