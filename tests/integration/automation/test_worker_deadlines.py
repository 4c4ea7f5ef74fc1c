"""The headless worker sweeps deadlines: a lapsed transfer expires even when nothing is due."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from app.db.models import Transfer
from app.domain.records import NewTransfer
from app.services.transfers import TransferService
from tests.integration.automation.conftest import World


def test_worker_once_expires_what_lapsed(world: World, database_url: str,
                                        tmp_path: Path) -> None:
    transfers = TransferService(world.engine, "Dana (desk 3)")
    lapsed = transfers.create(NewTransfer(order_ref="LATE-1", event_name="Finals",
                                          accept_by=datetime.now(UTC) - timedelta(seconds=5)))
    env = {**os.environ, "TRANSFERDESK_DATABASE_URL": database_url,
           "TRANSFERDESK_DATA_DIR": str(tmp_path / "data"),
           "TRANSFERDESK_CONFIG": str(tmp_path / "no-config.toml")}
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "worker", "--once", "--role", "transferdesk_bot"],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with world.engine.connect() as conn:
        status = conn.execute(select(Transfer.status).where(Transfer.id == lapsed.row.id))
        assert status.scalar_one() == "expired"
        swept = conn.execute(text("SELECT swept_by, expired FROM deadline_sweep")).one()
    assert swept.expired == 1 and swept.swept_by.startswith(os.uname().nodename)
