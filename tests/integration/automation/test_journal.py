"""Durable outcomes: the database goes away mid-run; the outcome waits in the journal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.db import migrate
from app.db.engine import make_engine
from app.db.local_cluster import LocalCluster
from app.db.models import Evidence, Run, Transfer
from automation.journal import EvidenceItem, FinishedRun, OutcomeJournal
from automation.runs.events import StepStarted
from automation.runs.outcomes import Outcome
from tests.fixtures.postgres import private_cluster
from tests.integration.automation.conftest import World


@pytest.fixture
def own_cluster() -> Iterator[LocalCluster]:
    """A PostgreSQL cluster of this test's own, so it can be stopped mid-run."""
    with private_cluster("journal") as cluster:
        cluster.start()
        yield cluster


def test_outcome_journaled_while_database_down_then_replayed(
    world: World, own_cluster: LocalCluster
) -> None:
    migrate.upgrade(own_cluster.url())
    world.engine = make_engine(own_cluster.url())
    world.__post_init__()
    account = world.account()
    transfer_id, sent = world.transfer(account)
    job = world.claim_job(transfer_id)
    world.bus.subscribe(
        lambda e: own_cluster.stop() if e.step == "confirm_ownership" else None, StepStarted
    )

    result = world.runner().submit(job).result(timeout=180)

    assert result.outcome is Outcome.ACCEPTED and result.journaled
    assert world.portal.accept_counts()[sent.token] == 1
    journal = OutcomeJournal(world.journal_dir)
    assert len(journal.pending()) == 1
    assert world.recorder.replay_journal().remaining == 1, "still down: nothing lost, nothing done"

    world.engine.dispose()
    own_cluster.start()  # back, on a new port; meanwhile the lease lapsed and was reaped
    world.engine = make_engine(own_cluster.url())
    world.__post_init__()
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET lease_until = now() - interval '1 second'"))
    assert world.claims.reap_expired() == [transfer_id]

    replay = world.recorder.replay_journal()

    assert (replay.replayed, replay.refused, replay.remaining) == (1, 0, 0)
    assert journal.pending() == []
    with world.engine.connect() as conn:
        row = conn.execute(select(Transfer).where(Transfer.id == transfer_id)).one()
        runs = conn.execute(select(Run.outcome, Run.detail).where(
            Run.transfer_id == transfer_id).order_by(Run.id)).all()
        kinds = conn.scalars(select(Evidence.kind).where(
            Evidence.transfer_id == transfer_id)).all()
    assert row.status == "verified"
    assert runs[-1].outcome == "accepted" and "replayed" in runs[-1].detail
    assert sorted(kinds) == ["screenshot", "trace"]
    assert world.portal.accept_counts()[sent.token] == 1, "replay never touches the portal"
    world.engine.dispose()


def test_journal_round_trip_and_refused_entries(tmp_path: Path) -> None:
    journal = OutcomeJournal(tmp_path / "journal")
    now = datetime.now(UTC)
    record = FinishedRun("k1", 7, 3, "w", "accepted", "ok", now, now,
                       (EvidenceItem("screenshot", "a.png", "image/png", b"\x89PNG"),), "site")
    journal.write(record)
    (tmp_path / "journal" / "broken.json").write_text("{not json", encoding="utf-8")
    seen: list[FinishedRun] = []

    result = journal.replay(seen.append, lambda exc: False)

    assert seen == [record]
    assert (result.replayed, result.refused, result.remaining) == (1, 1, 0)
    assert [p.name for p in journal.refused_dir.iterdir()] == ["broken.json"]


def test_journal_keeps_entries_while_unreachable(tmp_path: Path) -> None:
    journal = OutcomeJournal(tmp_path)
    now = datetime.now(UTC)
    for key in ("a", "b"):
        journal.write(FinishedRun(key, 1, 1, "w", "timeout", "", now, now))

    def down(record: FinishedRun) -> None:
        raise ConnectionError("database down")

    result = journal.replay(down, lambda exc: isinstance(exc, ConnectionError))
    assert (result.replayed, result.remaining) == (0, 2)
    assert len(journal.pending()) == 2
