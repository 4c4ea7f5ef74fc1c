"""Alembic environment: online migrations only, against the URL set by app.db.migrate."""

from alembic import context
from sqlalchemy import create_engine, pool

from app.db import models  # noqa: F401  (registers every table on Base.metadata)
from app.db.base import Base

config = context.config


def run_migrations_online() -> None:
    """Run migrations in one transaction on a dedicated connection."""
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by app.db.migrate"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
