"""Migrations: forward on an empty database, from the previous head, down and up again, and the
models match the migrated schema (Alembic's own autogenerate check)."""

from __future__ import annotations

import itertools

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app.db import migrate
from app.db.engine import sqlalchemy_url

_names = itertools.count()


@pytest.fixture
def empty_database(pg_cluster):
    name = f"td_migrate_{next(_names)}"
    admin = pg_cluster.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_cluster.url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(url):
    engine = create_engine(sqlalchemy_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_forward_on_an_empty_database(empty_database):
    assert migrate.current_revision(empty_database) is None
    migrate.upgrade(empty_database)
    assert migrate.current_revision(empty_database) == migrate.head_revision()
    assert {"transfers", "audit_log", "evidence", "runs", "mail_messages", "mail_sync_state",
            "workers", "alarms", "portal_accounts"} <= tables(empty_database)
    command.check(migrate.alembic_config(empty_database))  # models == migrations


def test_from_the_previous_head_with_data(empty_database):
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_database))
    head = script.get_revision(migrate.head_revision())
    previous = head.down_revision
    assert isinstance(previous, str)
    migrate.upgrade(empty_database, previous)
    with psycopg.connect(empty_database) as conn:
        conn.execute("INSERT INTO transfers (order_ref, event_name) VALUES ('OLD-1', 'e')")
    migrate.upgrade(empty_database)
    with psycopg.connect(empty_database) as conn:
        conn.execute("UPDATE transfers SET seller_name = 'x' WHERE order_ref = 'OLD-1'")
        version = conn.execute("SELECT version FROM transfers").fetchone()[0]
    assert version == 2  # the head's trigger bumps versions of rows made before it


def test_down_to_base_and_up_again(empty_database):
    migrate.upgrade(empty_database)
    command.downgrade(migrate.alembic_config(empty_database), "base")
    assert tables(empty_database) == {"alembic_version"}
    migrate.upgrade(empty_database)  # roles already exist cluster-wide: must not fail
    assert migrate.current_revision(empty_database) == migrate.head_revision()
