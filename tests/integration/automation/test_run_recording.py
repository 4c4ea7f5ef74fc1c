"""A run's evidence and outcome are stored in one transaction; replays store nothing twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import event, select, text

from app.db import migrate
from app.db.engine import make_engine
from app.db.local_cluster import LocalCluster
from app.db.models import Evidence, Run, Transfer
from automation.journal import FinishedRun, OutcomeJournal
from automation.runs.jobs import RunJob
from automation.runs.outcomes import Outcome
from automation.runs.recording import RunRecorder
from tests.integration.automation.conftest import World
from tests.integration.automation.test_journal import own_cluster  # noqa: F401 (fixture)


def _evidence_kinds(world: World, transfer_id: int) -> Counter[str]:
    with world.engine.connect() as conn:
        return Counter(conn.scalars(select(Evidence.kind).where(
            Evidence.transfer_id == transfer_id)).all())


def use_cluster(world: World, cluster: LocalCluster, migrate_first: bool = False) -> None:
    """Point ``world`` at ``cluster`` (after a start, on its new port)."""
    if migrate_first:
        migrate.upgrade(cluster.url())
    world.engine = make_engine(cluster.url())
    world.__post_init__()


def test_database_lost_between_evidence_and_outcome_then_replayed_once(
    world: World, own_cluster: LocalCluster  # noqa: F811
) -> None:
    use_cluster(world, own_cluster, migrate_first=True)
    account = world.account()
    transfer_id, sent = world.transfer(account)
    job = world.claim_job(transfer_id)

    def stop_before_the_outcome(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE RUNS"):
            own_cluster.stop()  # the evidence statements ran; the outcome never arrives

    event.listen(world.engine, "before_cursor_execute", stop_before_the_outcome)
    result = world.runner().submit(job).result(timeout=180)
    assert result.outcome is Outcome.ACCEPTED and result.journaled
    world.engine.dispose()
    own_cluster.start()
    use_cluster(world, own_cluster)
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE transfers SET lease_until = now() - interval '1 second'"))
    assert world.claims.reap_expired() == [transfer_id]

    replay = world.recorder.replay_journal()

    assert (replay.replayed, replay.refused, replay.remaining) == (1, 0, 0)
    kinds = _evidence_kinds(world, transfer_id)
    assert kinds == Counter({"screenshot": 1, "trace": 1}), kinds
    with world.engine.connect() as conn:
        status = conn.scalar(select(Transfer.status).where(Transfer.id == transfer_id))
    assert status == "verified"
    assert world.portal.accept_counts()[sent.token] == 1
    world.engine.dispose()


def test_replaying_an_outcome_already_recorded_stores_nothing_twice(world: World) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    records: list[FinishedRun] = []
    runner = world.runner()
    runner.recorder = _Capturing(world.recorder, records)
    result = runner.submit(world.claim_job(transfer_id)).result(timeout=180)
    assert result.outcome is Outcome.ACCEPTED and result.status == "verified"
    # committed, but say the reply was lost: the same record is journaled and replayed
    OutcomeJournal(world.journal_dir).write(records[0])

    replay = world.recorder.replay_journal()

    assert (replay.replayed, replay.refused, replay.remaining) == (1, 0, 0)
    assert _evidence_kinds(world, transfer_id) == Counter({"screenshot": 1, "trace": 1})
    with world.engine.connect() as conn:
        runs = conn.execute(select(Run.outcome).where(Run.transfer_id == transfer_id)).all()
    assert [r.outcome for r in runs] == ["accepted"]


class _Capturing:
    """A recorder that records normally and keeps every record it was given."""

    def __init__(self, recorder: RunRecorder, records: list[FinishedRun]) -> None:
        self.recorder, self.records = recorder, records

    def __call__(self, record: FinishedRun) -> tuple[str, bool]:
        self.records.append(record)
        return self.recorder(record)

    def release(self, job: RunJob, reason: str) -> None:
        self.recorder.release(job, reason)

    def remember_profile(self, job: RunJob, profile: str) -> None:
        self.recorder.remember_profile(job, profile)
