"""The pool pings a connection that sat idle, not one returned a moment ago (a round trip per
unit of work saved in busy loops such as claiming), and still replaces a dead idle one."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import text

from app.db import engine as engine_module
from app.db.engine import make_engine


def _last_statement(database_url: str, pid: int) -> str:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_connection_just_returned_is_reused_without_a_ping(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        returned = _last_statement(database_url, pid)  # what the pool's return left last
        with engine.connect() as conn:
            assert _last_statement(database_url, pid) == returned, "pinged although just used"
            conn.execute(text("SELECT 'work'"))
        returned = _last_statement(database_url, pid)
        time.sleep(engine_module.PING_AFTER_IDLE_SECONDS + 0.2)
        with engine.connect() as conn:
            assert _last_statement(database_url, pid) != returned, "an idle one is pinged"
    finally:
        engine.dispose()


def test_a_dead_idle_connection_is_replaced(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(database_url, autocommit=True) as admin:  # waits for the exit
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
        time.sleep(engine_module.PING_AFTER_IDLE_SECONDS + 0.2)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()
