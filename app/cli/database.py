"""The database URL for a command: the embedded cluster is started and migrated first.

Every command that touches the database resolves it through :func:`command_database_url`, so a
fresh data dir works with any of them (not only ``self-check`` and the desk). A configured
(shared) database is never migrated here: that is an administrator's ``transferdesk db upgrade``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from app.config import Settings, load_settings
from app.db.engine import make_engine, resolve_database_url


def command_database_url(settings: Settings) -> str:
    """The libpq URL to use; the embedded cluster is started and brought to head first.

    Raises:
        ClusterError / DependencyMissingError: the embedded cluster cannot run.
    """
    url = resolve_database_url(settings)
    if settings.uses_embedded_database:
        from app.db import migrate

        if migrate.current_revision(url) != migrate.head_revision():
            migrate.upgrade(url)
    return url


@contextmanager
def command_engine(pool_size: int = 1) -> Iterator[Engine]:
    """An engine on the command's database (:func:`command_database_url`), disposed after."""
    engine = make_engine(command_database_url(load_settings()), pool_size=pool_size)
    try:
        yield engine
    finally:
        engine.dispose()
