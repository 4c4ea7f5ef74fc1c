"""Escrow test helpers: a gateway on the session's localstripe, a movable clock, transfer rows.

Decisions are written as the domain service commits them (status change in its own
transaction); the escrow processor only ever sees committed decisions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.credentials import CredentialStore
from app.db.models import Alarm, AuditLog, Transfer
from app.escrow.gateway import StripeGateway
from app.escrow.service import EscrowPolicy, EscrowService
from automation.demo.holds import place_holds
from automation.sandbox.payments import TEST_API_KEY, LocalStripeServer
from tests.integration.escrow.proxy import FlakyProxy

_orders = itertools.count(1)


class Clock:
    """A settable "now" for the escrow service (leases, backoff and hold expiry)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    """A clock starting at the real current time."""
    return Clock()


@pytest.fixture
def gateway(localstripe: LocalStripeServer) -> StripeGateway:
    """A test-mode gateway straight to localstripe (no library-level retries)."""
    return StripeGateway(TEST_API_KEY, localstripe.base_url, max_network_retries=0)


@pytest.fixture
def escrow_cli(database_url: str, localstripe: LocalStripeServer,
               credential_store: CredentialStore, monkeypatch: pytest.MonkeyPatch,
               tmp_path: Path) -> None:
    """``transferdesk escrow ...`` in this process: no config file, the test database,
    localstripe, and the test key in the keyring."""
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("TRANSFERDESK_STRIPE_API_BASE", localstripe.base_url)
    credential_store.set("stripe:test", TEST_API_KEY)


@pytest.fixture
def proxy(localstripe: LocalStripeServer) -> Iterator[FlakyProxy]:
    """A counting, reply-dropping proxy in front of localstripe."""
    with FlakyProxy(localstripe.base_url) as flaky:
        yield flaky


@pytest.fixture
def proxied_gateway(proxy: FlakyProxy) -> StripeGateway:
    """A gateway whose every request goes through :func:`proxy`."""
    return StripeGateway(TEST_API_KEY, proxy.base_url, max_network_retries=0, timeout=10)


@pytest.fixture
def service(engine: Engine, proxied_gateway: StripeGateway, clock: Clock) -> EscrowService:
    """The escrow processor on this test's database, through the counting proxy."""
    return EscrowService(engine, proxied_gateway, actor_name="test-escrow", clock=clock,
                         policy=EscrowPolicy(max_attempts=3))


def add_transfer(engine: Engine, amount: int = 5000, **values: Any) -> int:
    """Insert an expected transfer awaiting acceptance; returns its id."""
    n = next(_orders)
    with Session(engine) as session, session.begin():
        transfer = Transfer(order_ref=f"ORD-{n:05d}", event_name=f"Game {n}", amount=amount,
                            status="notice_received", **values)
        session.add(transfer)
        session.flush()
        return transfer.id


def held_transfer(engine: Engine, gateway: StripeGateway, amount: int = 5000) -> tuple[int, str]:
    """A transfer with a confirmed manual-capture hold on localstripe: ``(id, intent id)``."""
    transfer_id = add_transfer(engine, amount)
    created = place_holds(engine, gateway, [transfer_id])
    return transfer_id, created[transfer_id]


def decide(engine: Engine, transfer_id: int, status: str, amount_to_capture: int | None = None
           ) -> None:
    """Commit a decision (verified / rejected / expired), as the domain service does."""
    with Session(engine) as session, session.begin():
        session.execute(update(Transfer).where(Transfer.id == transfer_id).values(
            status=status, amount_to_capture=amount_to_capture,
            verified_at=datetime.now(UTC) if status == "verified" else None,
            version=Transfer.version + 1,
        ))


def transfer_row(engine: Engine, transfer_id: int) -> Transfer:
    """The transfer's current row (detached)."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(Transfer, transfer_id)
        assert row is not None
        session.expunge(row)
        return row


def audit_rows(engine: Engine, transfer_id: int) -> list[tuple[str, dict[str, Any]]]:
    """``(action, detail)`` of the transfer's audit rows, oldest first."""
    with Session(engine) as session:
        rows = session.execute(select(AuditLog.action, AuditLog.detail)
                               .where(AuditLog.transfer_id == transfer_id).order_by(AuditLog.id))
        return [(action, detail) for action, detail in rows]


def open_alarms(engine: Engine) -> set[tuple[str, str]]:
    """``(kind, key)`` of every unresolved alarm."""
    with Session(engine) as session:
        rows = session.execute(select(Alarm.kind, Alarm.key).where(Alarm.resolved_at.is_(None)))
        return {(kind, key) for kind, key in rows}
