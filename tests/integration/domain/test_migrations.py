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
    assert version == 2  # the version trigger (0002) still bumps rows made before the head
    with psycopg.connect(empty_database) as conn:  # 0004: one valid index per queue sort key
        built = {name for name, valid in conn.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c"
            " ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_transfers_sort_%'") if valid}
    assert built == {f"ix_transfers_sort_{key}" for key in (
        "status", "event", "event_date", "seller", "account", "attempts", "section", "notice",
        "holder")}
    assert migrate.check_current(empty_database) == migrate.head_revision()


def test_every_queue_sort_is_served_by_an_index(database_url):
    """The ORDER BY of each sort key matches an index exactly (no sort over the table)."""
    from sqlalchemy.dialects import postgresql

    from app.domain.records import QueueFilter
    from app.repositories.queue import SORT_KEYS, page_query

    with psycopg.connect(database_url) as conn:
        conn.execute("SET enable_sort = off")  # an index that fits wins whatever the row count
        for key in SORT_KEYS:
            for descending in (False, True):
                stmt = page_query(QueueFilter(), key, descending, None, 100)
                sql = stmt.compile(dialect=postgresql.psycopg.dialect(),
                                   compile_kwargs={"literal_binds": True})
                plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}"))
                assert "Index Scan" in plan and "Seq Scan" not in plan, (key, plan)


def test_down_to_base_and_up_again(empty_database):
    migrate.upgrade(empty_database)
    command.downgrade(migrate.alembic_config(empty_database), "base")
    assert tables(empty_database) == {"alembic_version"}
    migrate.upgrade(empty_database)  # roles already exist cluster-wide: must not fail
    assert migrate.current_revision(empty_database) == migrate.head_revision()


def test_every_outcome_is_allowed_by_both_checks(database_url):
    """0005: each Outcome (untrusted_link, unverified, payment_required, blocked) is storable."""
    from app.domain.states import Outcome

    with psycopg.connect(database_url) as conn:
        for outcome in Outcome:
            conn.execute("INSERT INTO transfers (order_ref, event_name, last_outcome)"
                         " VALUES (%s, 'e', %s)", (f"OUT-{outcome.value}", outcome.value))
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO transfers (order_ref, event_name, last_outcome)"
                         " VALUES ('OUT-x', 'e', 'no_such_outcome')")
