"""Seeded demo data is consistent: windows close before the game, holds outlive windows, and no
open transfer is overdue (so a deadline sweep over a fresh demo database expires nothing)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from app.domain.states import OPEN_STATUSES, Role
from app.services.deadlines import DeadlineService
from automation.demo.transfers import insert_demo

OPEN = tuple(s.value for s in OPEN_STATUSES)


def count(engine: Engine, where: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM transfers WHERE {where}"),
                                {"open": list(OPEN)}).scalar_one())


def test_a_seeded_demo_database_keeps_the_deadline_invariants(engine: Engine,
                                                              database_url: str) -> None:
    for seed in (1, 2, 3):
        insert_demo(database_url, 1500, seed=seed, prefix=f"D{seed}")
    assert count(engine, "true") == 4500
    assert count(engine, "status = ANY(:open)") > 1500
    assert count(engine, "accept_by > event_starts_at") == 0
    assert count(engine, "hold_expires_at <= accept_by") == 0
    assert count(engine, "status = ANY(:open) AND (accept_by <= now() OR hold_expires_at <= now())"
                 ) == 0
    assert count(engine, "status = 'expired' AND accept_by > now()") == 0
    assert DeadlineService(engine, "check", role=Role.BOT).sweep().expired == ()
