"""The per-site circuit breaker: opens after K blocks, is shared by every claimer (a second
worker process sends the paused site nothing), closes after the cooldown's successful run, a
supervisor's resume (service and CLI), and one success."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.db.models import Alarm, AuditLog, Transfer
from app.domain.errors import DomainError, PermissionDeniedError
from app.domain.states import Role
from app.services.breakers import BreakerPolicy, BreakerService
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World

OTHER = "other-u"
LONG = BreakerPolicy(blocks=2, window=timedelta(minutes=10), cooldown=timedelta(minutes=30))


@pytest.fixture(autouse=True)
def _guard_off(world: World) -> Iterator[None]:
    if OTHER not in world.portal.state.sites:
        world.portal.add_site(OTHER, "Other University Athletics")
    yield
    world.portal.set_faults(SITE, automation_guard=False)


def _open_breaker(world: World, policy: BreakerPolicy = LONG) -> tuple[Any, list[int]]:
    """Two blocked runs on SITE (K = 2); returns the account and two more waiting transfers."""
    world.breaker = policy
    account = world.account()
    first, second, *waiting = [world.transfer(account)[0] for _ in range(4)]
    world.portal.set_faults(SITE, automation_guard=True)
    assert world.run(first).outcome is Outcome.BLOCKED
    assert not BreakerService(world.engine).list_open(), "one block does not open it"
    assert world.run(second).outcome is Outcome.BLOCKED
    return account, waiting


def _alarms(world: World, open_only: bool = True) -> list[Any]:
    with world.engine.connect() as conn:
        stmt = select(Alarm).where(Alarm.kind == "site_blocked")
        if open_only:
            stmt = stmt.where(Alarm.resolved_at.is_(None))
        return list(conn.execute(stmt).all())


def _status(world: World, transfer_id: int) -> str:
    with world.engine.connect() as conn:
        return str(conn.scalar(select(Transfer.status).where(Transfer.id == transfer_id)))


def test_opens_after_k_blocks_with_an_alarm_and_claims_skip_the_site(world: World) -> None:
    account, waiting = _open_breaker(world)
    paused = BreakerService(world.engine).list_open()
    assert [p.site_url for p in paused] == [account.site_url]
    (alarm,) = _alarms(world)
    assert alarm.key == account.site_url
    assert account.site_url in alarm.message and "paused until" in alarm.message
    assert paused[0].open_until.strftime("%H:%M UTC") in alarm.message

    assert world.claims.claim("another-desk") is None, "the paused site's transfers wait"
    with pytest.raises(DomainError, match="not automated now"):
        world.claims.claim("another-desk", waiting[0])
    elsewhere_id, _ = world.transfer(world.account(site=OTHER))
    claim = world.claims.claim("another-desk")
    assert claim is not None and claim.transfer.row.id == elsewhere_id, "other sites go on"


def test_a_second_worker_process_sends_the_paused_site_nothing(
        world: World, database_url: str, tmp_path: Path) -> None:
    _, waiting = _open_breaker(world)
    elsewhere_id, _ = world.transfer(world.account(site=OTHER))
    before = world.portal.request_count(SITE)
    env = dict(os.environ, TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "worker", "--once", "--poll", "1",
         "--role", "transferdesk_bot"],
        env=env, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _status(world, elsewhere_id) == "verified", "the worker did work other sites"
    assert [_status(world, t) for t in waiting] == ["notice_received"] * 2
    assert world.portal.request_count(SITE) == before, "no request to the paused site"


def test_closes_after_the_cooldown_reopens_on_a_block_and_closes_on_one_success(
        world: World) -> None:
    short = BreakerPolicy(blocks=2, window=timedelta(minutes=10), cooldown=timedelta(seconds=3))
    _, (third, fourth) = _open_breaker(world, short)
    assert world.claims.claim("desk") is None
    time.sleep(3.5)
    assert BreakerService(world.engine).list_open(), "half-open: still listed until a success"
    assert world.run(third).outcome is Outcome.BLOCKED, "tried again after the cooldown"
    assert world.claims.claim("desk") is None, "one block after the pause reopens at once"
    time.sleep(3.5)
    world.portal.set_faults(SITE, automation_guard=False)
    assert world.run(fourth).outcome is Outcome.ACCEPTED
    assert BreakerService(world.engine).list_open() == []
    assert _alarms(world) == [] and len(_alarms(world, open_only=False)) == 1


def test_a_supervisor_ends_the_pause_early(world: World) -> None:
    account, waiting = _open_breaker(world)
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        BreakerService(world.engine, "Stan", Role.STAFF).resume(account.site_url)
    info = BreakerService(world.engine, "Sue Supervisor", Role.SUPERVISOR).resume(
        account.site_url)
    assert info.site_url == account.site_url
    claim = world.claims.claim("desk")
    assert claim is not None and claim.transfer.row.id in waiting
    (alarm,) = _alarms(world, open_only=False)
    assert alarm.resolved_by == "Sue Supervisor"
    with world.engine.connect() as conn:
        audit = conn.execute(select(AuditLog).where(AuditLog.action == "resume_site")).one()
    assert audit.actor_name == "Sue Supervisor" and audit.detail["site_url"] == account.site_url
    with pytest.raises(DomainError, match="no paused site"):
        BreakerService(world.engine, "Sue").resume(account.site_url)


def test_cli_lists_and_resumes_a_paused_site(world: World, database_url: str,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    account, _ = _open_breaker(world)
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "none.toml"))
    assert main(["sites", "list"]) == 0
    assert account.site_url in capsys.readouterr().out
    assert main(["sites", "resume", account.site_url]) == 0
    assert "resumed" in capsys.readouterr().out
    assert main(["sites", "resume", account.site_url]) == 1
    assert "no paused site" in capsys.readouterr().err
    assert BreakerService(world.engine).list_open() == []
