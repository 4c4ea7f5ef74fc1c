"""The demo's seeded queue (make run) has a truthful timeline for every transfer: the audit rows
its state implies, written with the COPY, then the real hold and the real notices."""

from __future__ import annotations

from sqlalchemy import Engine, text

from app.domain.states import Status
from app.escrow.gateway import StripeGateway
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.demo.seeding import DemoAccount, seed_queue
from automation.sandbox.payments import TEST_API_KEY, LocalStripeServer
from automation.sandbox.sender import ImapDelivery
from tests.fixtures.dovecot import TestMailbox
from tests.integration.domain.demo_timeline import problems
from tests.integration.sandbox.conftest import DESK, SITE, World, fetch_messages


def test_seeded_demo_transfers_each_have_their_timeline(
    world: World, mailbox: TestMailbox, engine: Engine, database_url: str,
    localstripe: LocalStripeServer,
) -> None:
    info = TransferService(engine, "demo").add_account(
        "paciolan", world.site_url(), DESK, "Market Desk")
    report = seed_queue(
        engine, database_url, world.portal,
        ImapDelivery(mailbox.host, mailbox.port, mailbox.username, mailbox.password),
        StripeGateway(TEST_API_KEY, localstripe.base_url, max_network_retries=0),
        [DemoAccount(info.id, SITE, DESK, "Market Desk")], count=60, rng_seed=4)
    assert report.rows == 60 and report.holds == 60 and report.notices > 0
    assert len(fetch_messages(mailbox)) == report.notices  # the real notices, still unread
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(text("SELECT id FROM transfers ORDER BY id"))
               .scalars()]
    queue = QueueService(engine, "check")
    statuses = set()
    found: list[str] = []
    for transfer_id in ids:
        detail = queue.detail(transfer_id)
        statuses.add(detail.transfer.row.status)
        found += problems(detail)
        actions = [a.action for a in detail.audit]
        assert actions.count("escrow_hold_placed") == 1, actions  # the real hold, once
        assert detail.timeline[0].summary == "Order added by demo seed"
    assert found == []
    # waiting for their notice: mail sync will match them and write the next row itself
    assert Status.AWAITING_NOTICE in statuses and Status.VERIFIED in statuses
