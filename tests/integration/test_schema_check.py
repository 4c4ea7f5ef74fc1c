"""Shared databases are checked, not migrated, by desks and workers."""

from __future__ import annotations

import psycopg
import pytest

from app.db import migrate


def test_check_current_passes_at_head(database_url: str) -> None:
    assert migrate.check_current(database_url) == migrate.head_revision()


def test_check_current_names_the_fix_when_behind(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0002_roles_triggers'")
    with pytest.raises(migrate.SchemaMismatchError, match="transferdesk db upgrade"):
        migrate.check_current(database_url)


@pytest.mark.parametrize(
    "role", ["transferdesk_staff", "transferdesk_supervisor", "transferdesk_bot"]
)
def test_app_roles_can_read_the_revision(database_url: str, role: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"SET ROLE {role}")
        [(version,)] = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert version == migrate.head_revision()
