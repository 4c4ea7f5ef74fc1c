"""Alembic, configured in code (no alembic.ini): ``upgrade(url)`` brings a database to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from app.db.engine import sqlalchemy_url
from app.errors import KnownError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision in the migrations directory."""
    return ScriptDirectory.from_config(alembic_config("postgresql://x/y")).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database is at (None for an empty database)."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


class SchemaMismatchError(KnownError):
    """The database's schema is not the one this version of TransferDesk needs."""


def check_current(url: str) -> str:
    """Return the database's revision if it is the head; never changes the database.

    Used where the login may not run DDL (a shared database reached by staff or workers):
    upgrading is an administrator's ``transferdesk db upgrade``.

    Raises:
        SchemaMismatchError: the database is behind (or ahead of) this version.
    """
    current, head = current_revision(url), head_revision()
    if current is None or current != head:
        raise SchemaMismatchError(
            f"the database schema is at {current or 'nothing (empty database)'} but this "
            f"version of TransferDesk needs {head}: ask an administrator to run "
            "`transferdesk db upgrade` (or install the matching TransferDesk version)"
        )
    return current
