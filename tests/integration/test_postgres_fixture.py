"""The PostgreSQL fixture is a real server: round-trips, isolation, head revision."""

from sqlalchemy import text

from app.db import migrate


def test_sql_round_trip(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (v text)"))
        conn.execute(text("INSERT INTO probe VALUES ('hello')"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM probe")).scalar_one() == "hello"
        assert "PostgreSQL" in conn.execute(text("SELECT version()")).scalar_one()


def test_each_test_gets_a_fresh_database(engine):
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('public.probe')")).scalar_one()
    assert exists is None


def test_database_is_at_head(database_url):
    assert migrate.current_revision(database_url) == migrate.head_revision()
