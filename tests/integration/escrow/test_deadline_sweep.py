"""Deadlines end to end against localstripe: a lapse expires the transfer, the hold is cancelled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stripe
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from app.credentials import CredentialStore
from app.db.models import Transfer
from app.domain.states import Role
from app.escrow.gateway import StripeGateway
from app.escrow.service import EscrowService
from app.services.deadlines import DeadlineService
from automation.sandbox.payments import TEST_API_KEY, LocalStripeServer
from tests.integration.escrow.conftest import audit_rows, held_transfer, transfer_row


def set_deadlines(engine: Engine, transfer_id: int, **values: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(Transfer).where(Transfer.id == transfer_id).values(**values))


def test_sweep_expires_and_the_escrow_processor_cancels_the_hold(
    engine: Engine, gateway: StripeGateway, service: EscrowService,
    stripe_client: stripe.StripeClient,
) -> None:
    now = datetime.now(UTC)
    window_id, window_intent = held_transfer(engine, gateway)
    hold_id, hold_intent = held_transfer(engine, gateway)
    open_id, open_intent = held_transfer(engine, gateway)
    set_deadlines(engine, window_id, accept_by=now - timedelta(seconds=2))
    set_deadlines(engine, hold_id, accept_by=now + timedelta(days=2),
                  hold_expires_at=now - timedelta(seconds=2))
    set_deadlines(engine, open_id, accept_by=now + timedelta(days=2))

    report = DeadlineService(engine, "escrow-1", role=Role.BOT).sweep()
    assert sorted(report.expired) == sorted([window_id, hold_id])
    results = {r.transfer_id: r.escrow_status for r in service.process_due()}

    assert results == {window_id: "cancelled", hold_id: "cancelled"}
    retrieve = stripe_client.v1.payment_intents.retrieve
    assert retrieve(window_intent).status == "canceled"
    assert retrieve(hold_intent).status == "canceled"
    assert retrieve(open_intent).status == "requires_capture"
    actions = [a for a, _ in audit_rows(engine, window_id)]
    assert actions.index("expire") < actions.index("escrow_cancelled")


def test_the_running_escrow_processor_sweeps_within_its_interval(
    engine: Engine, database_url: str, gateway: StripeGateway, localstripe: LocalStripeServer,
    credential_store: CredentialStore, keyring_service: str, tmp_path: Path,
    stripe_client: stripe.StripeClient,
) -> None:
    """`escrow process --every 3` sweeps too (every second): no other process expires the
    lapsed transfer, yet its hold is cancelled (how fast is a benchmark figure, not asserted)."""
    credential_store.set("stripe:test", TEST_API_KEY)
    transfer_id, intent = held_transfer(engine, gateway)
    config = tmp_path / "config.toml"
    config.write_text('[deadlines]\nsweep_interval = 1\nwarn_before = ["1h"]\n')
    env = {**os.environ, "TRANSFERDESK_CONFIG": str(config),
           "TRANSFERDESK_DATABASE_URL": database_url,
           "TRANSFERDESK_STRIPE_API_BASE": localstripe.base_url,
           "TRANSFERDESK_KEYRING_SERVICE": keyring_service}
    lapse = datetime.now(UTC) + timedelta(seconds=2)
    set_deadlines(engine, transfer_id, accept_by=lapse)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "escrow", "process", "--every", "3"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        limit = time.monotonic() + 60
        while time.monotonic() < limit and transfer_row(engine, transfer_id).escrow_status \
                != "cancelled":
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        output, _ = proc.communicate()
    row = transfer_row(engine, transfer_id)
    assert (row.status, row.escrow_status) == ("expired", "cancelled"), output
    assert stripe_client.v1.payment_intents.retrieve(intent).status == "canceled"


def test_a_single_escrow_pass_sweeps_first(
    engine: Engine, gateway: StripeGateway, escrow_cli: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli.main import main

    transfer_id, _ = held_transfer(engine, gateway)
    set_deadlines(engine, transfer_id, accept_by=datetime.now(UTC) - timedelta(seconds=1))
    assert main(["escrow", "process"]) == 0
    assert f"transfer {transfer_id}: cancel -> cancelled" in capsys.readouterr().out
