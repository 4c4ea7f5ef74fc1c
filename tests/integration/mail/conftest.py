"""Helpers for the mail tests: a portal account, expected transfers, a sync on a test mailbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.config import MailboxSettings
from app.domain.records import NewTransfer
from app.events import EventBus
from app.mail.imap import Connect, connector
from app.mail.ingest import MailIngest
from app.mail.sync import MailboxSync, SyncOptions
from app.services.transfers import TransferService
from tests.fixtures.dovecot import TestMailbox
from tests.unit import mail_samples as samples

FAST = SyncOptions(idle_refresh=3.0, poll_interval=30.0, backoff_base=0.05, backoff_cap=0.5)


def imap_connect(mailbox: TestMailbox, timeout: float = 10.0) -> Connect:
    """A connector for the test mailbox (plain IMAP on 127.0.0.1)."""
    settings = MailboxSettings(name=mailbox.username, host=mailbox.host, port=mailbox.port,
                               username=mailbox.username, tls=False)
    return connector(settings, mailbox.password, timeout=timeout)


@pytest.fixture
def account_id(engine: Engine) -> int:
    """The marketplace's portal account, whose username is the notices' recipient."""
    service = TransferService(engine, "test")
    return service.add_account("paciolan", "https://goducks.evenue.net", samples.ACCOUNT).id


@pytest.fixture
def expect_transfer(engine: Engine, account_id: int) -> Callable[..., int]:
    """Create an expected transfer matching ``samples.notice()`` unless overridden."""
    service = TransferService(engine, "test")
    counter = iter(range(1, 10_000))

    def create(**overrides: Any) -> int:
        values: dict[str, Any] = {
            "order_ref": f"ORD-{next(counter)}", "event_name": "Ducks vs. Beavers",
            "account_id": account_id, "seller_name": "Jane Doe",
            "seller_email": "jane.doe@example.com", "venue": "Autzen Stadium",
            "event_starts_at": datetime.fromisoformat("2026-11-28T19:30:00-08:00"),
            "section": "12", "row": "5", "seats": ("5", "6", "7", "8"), "quantity": 4,
        }
        values.update(overrides)
        return service.create(NewTransfer(**values)).row.id

    return create


@pytest.fixture
def bus() -> EventBus:
    """An event bus for one test."""
    return EventBus()


@pytest.fixture
def ingest(engine: Engine, bus: EventBus) -> MailIngest:
    """The ingest service on the test database, with a small parse cap for oversize tests."""
    return MailIngest(engine, bus, max_parse_bytes=256 * 1024)


@pytest.fixture
def make_sync(
    mailbox: TestMailbox, ingest: MailIngest, bus: EventBus
) -> Iterator[Callable[..., MailboxSync]]:
    """Build syncs on the test mailbox; every one started is stopped after the test."""
    made: list[MailboxSync] = []

    def build(folder: str = "INBOX", options: SyncOptions = FAST) -> MailboxSync:
        sync = MailboxSync(mailbox.username, imap_connect(mailbox), ingest, folder=folder,
                           bus=bus, options=options)
        made.append(sync)
        return sync

    yield build
    for sync in made:
        sync.stop()


def mail_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every mail_messages row, oldest first."""
    with engine.connect() as conn:
        result = conn.execute(text("SELECT * FROM mail_messages ORDER BY id"))
        return [dict(r._mapping) for r in result]


def transfer(engine: Engine, transfer_id: int) -> dict[str, Any]:
    """One transfers row."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM transfers WHERE id = :id"), {"id": transfer_id})
        return dict(row.one()._mapping)
