"""The database goes away between the decision and the capture; the capture happens once.

Uses a PostgreSQL cluster of its own (the session's shared cluster must stay up for others).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import Engine

from app.db import migrate
from app.db.engine import make_engine
from app.db.local_cluster import LocalCluster
from app.escrow.gateway import StripeGateway
from app.escrow.service import DatabaseUnavailableError, EscrowService
from tests.fixtures.postgres import private_cluster
from tests.integration.escrow.conftest import (
    Clock,
    audit_rows,
    decide,
    held_transfer,
    transfer_row,
)
from tests.integration.escrow.proxy import FlakyProxy


class RestartableDatabase:
    """A private cluster that can be stopped and started again on the same port."""

    def __init__(self, cluster: LocalCluster, port: int, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cluster, self.port, self._monkeypatch = cluster, port, monkeypatch

    def stop(self) -> None:
        """Fast shutdown: every connection is cut."""
        assert self.cluster.stop()

    def start(self) -> None:
        """Start on the old port, so pooled engines reconnect to the same URL."""
        self._monkeypatch.setattr("app.db.local_cluster.free_port", lambda: self.port)
        assert self.cluster.start() == self.port


@pytest.fixture
def own_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RestartableDatabase, Engine]]:
    """A migrated private cluster and an engine on it; destroyed afterwards."""
    with private_cluster("escrow") as cluster:
        port = cluster.start()
        migrate.upgrade(cluster.url())
        engine = make_engine(cluster.url(), pool_size=2)
        try:
            yield RestartableDatabase(cluster, port, monkeypatch), engine
        finally:
            engine.dispose()


def test_capture_survives_database_outages_exactly_once(
    own_database: tuple[RestartableDatabase, Engine], gateway: StripeGateway,
    proxied_gateway: StripeGateway, proxy: FlakyProxy, clock: Clock,
    stripe_client: stripe.StripeClient,
) -> None:
    database, engine = own_database
    service = EscrowService(engine, proxied_gateway, clock=clock)

    # 1. Down right after the decision: nothing is claimed, nothing captured, nothing lost.
    early_id, early_pi = held_transfer(engine, gateway, amount=2000)
    decide(engine, early_id, "verified")
    database.stop()
    with pytest.raises(DatabaseUnavailableError, match="unreachable"):
        service.process_due()
    assert proxy.count("POST", f"/{early_pi}/capture") == 0
    database.start()
    [result] = service.process_due()
    assert (result.transfer_id, result.escrow_status) == (early_id, "captured")

    # 2. Down after Stripe captured but before the result was stored.
    late_id, late_pi = held_transfer(engine, gateway, amount=3000)
    decide(engine, late_id, "verified")
    [job] = service.claim(10)
    outcome = service.execute(job)
    assert outcome.escrow_status == "captured"
    database.stop()
    with pytest.raises(DatabaseUnavailableError):
        service.record(job, outcome)
    database.start()
    assert transfer_row(engine, late_id).escrow_status == "capture_pending"
    assert service.process_due() == []  # the lost claim's lease still runs
    clock.advance(timedelta(minutes=5))
    [result] = service.process_due()

    assert (result.transfer_id, result.escrow_status, result.amount_captured) == (
        late_id, "captured", 3000)
    for transfer_id, intent_id in ((early_id, early_pi), (late_id, late_pi)):
        assert proxy.count("POST", f"/{intent_id}/capture") == 1
        assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "succeeded"
        assert transfer_row(engine, transfer_id).escrow_status == "captured"
        assert [a for a, _ in audit_rows(engine, transfer_id)].count("escrow_captured") == 1
