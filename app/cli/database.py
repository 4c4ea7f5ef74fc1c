"""The database URL for a command: the embedded cluster is started and migrated first.

Every command that touches the database resolves it through :func:`command_database_url`, so a
fresh data dir works with any of them (not only ``self-check`` and the desk). A configured
(shared) database is never migrated here: that is an administrator's ``transferdesk db upgrade``.
"""

from __future__ import annotations

from app.config import Settings
from app.db.engine import resolve_database_url


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
