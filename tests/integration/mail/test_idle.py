"""IDLE against real Dovecot: wake-up on new mail, server-side kick and reconnect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from app.events import EventBus
from app.mail.codes import CodeReader
from app.mail.events import CONNECTED, DISCONNECTED, MailboxStatus, NoticeMatched
from app.mail.sync import MailboxSync
from tests.fixtures.dovecot import TestMailbox
from tests.integration.mail.conftest import imap_connect, mail_rows, transfer
from tests.unit import mail_samples as samples

WAIT = 20.0


class Waiter:
    """Collects events of one type and lets a test wait for the n-th."""

    def __init__(self, bus: EventBus, event_type: type) -> None:
        self.events: list[object] = []
        self._cond = threading.Condition()
        bus.subscribe(self._on_event, event_type)

    def _on_event(self, event: object) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[object]], bool], timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.events), timeout)


def test_idle_wakes_up_on_new_mail(
    engine: Engine, mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], bus: EventBus,
    expect_transfer: Callable[..., int],
) -> None:
    wanted = expect_transfer()
    matched = Waiter(bus, NoticeMatched)
    sync = make_sync()
    sync.start()
    assert sync.wait_until_idle(WAIT)
    mailbox.append(samples.notice())
    assert matched.wait_for(lambda e: len(e) == 1)
    assert transfer(engine, wanted)["status"] == "notice_received"


def test_idle_is_reissued_and_keeps_working(
    mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], engine: Engine, bus: EventBus
) -> None:
    from app.mail.sync import SyncOptions
    from tests.integration.mail.conftest import FAST

    sync = make_sync(options=SyncOptions(**{**FAST.__dict__, "idle_refresh": 0.5}))
    statuses = Waiter(bus, MailboxStatus)
    sync.start()
    assert sync.wait_until_idle(WAIT)
    assert _wait(lambda: sync.idle_cycles >= 3)  # re-issued every 0.5 s, no mail meanwhile
    mailbox.append(samples.unrelated(message_id="after-refresh@example.com"))
    assert _wait(lambda: len(mail_rows(engine)) == 1)
    assert [e.state for e in statuses.events] == [CONNECTED]  # never dropped


def test_kick_reconnects_without_missing_a_message(
    engine: Engine, mailbox: TestMailbox, make_sync: Callable[..., MailboxSync], bus: EventBus,
) -> None:
    statuses = Waiter(bus, MailboxStatus)
    sync = make_sync()
    sync.start()
    assert sync.wait_until_idle(WAIT)
    mailbox.append(samples.unrelated(message_id="before@example.com"))
    assert _wait(lambda: len(mail_rows(engine)) == 1)
    mailbox.kick()  # server drops both connections
    mailbox.append(samples.unrelated(message_id="while-down@example.com"))
    assert statuses.wait_for(lambda e: [s.state for s in e][-2:] == [DISCONNECTED, CONNECTED])
    mailbox.append(samples.unrelated(message_id="after@example.com"))
    assert _wait(lambda: len(mail_rows(engine)) == 3)
    keys = sorted(r["message_key"] for r in mail_rows(engine))
    assert keys == ["<after@example.com>", "<before@example.com>", "<while-down@example.com>"]


def test_wait_for_code_sees_a_code_delivered_while_waiting(mailbox: TestMailbox) -> None:
    asked_at = datetime.now(UTC)
    client = mailbox.connect()
    try:  # an old code, delivered an hour before the request
        client.append("INBOX", samples.verification_code("111111", message_id="old@p.com"),
                      msg_time=asked_at - timedelta(hours=1))
    finally:
        client.logout()
    connect = imap_connect(mailbox)
    connected = threading.Event()

    def connect_and_tell():  # the reader's own connection, observed
        client = connect()
        connected.set()
        return client

    reader = CodeReader(connect_and_tell, check_interval=1.0)
    found: list[str | None] = []
    waiting = threading.Thread(
        target=lambda: found.append(reader.wait_for_code(samples.ACCOUNT, asked_at, WAIT))
    )
    waiting.start()
    assert connected.wait(WAIT), "the reader never connected"  # it is waiting now
    mailbox.append(samples.verification_code("222222", to="other@marketplace.example",
                                             message_id="other@paciolan.com"))
    mailbox.append(samples.verification_code("482913", message_id="new@paciolan.com"))
    waiting.join(WAIT + 5)
    assert found == ["482913"]


def test_wait_for_code_times_out(mailbox: TestMailbox) -> None:
    reader = CodeReader(imap_connect(mailbox), check_interval=0.2)
    assert reader.wait_for_code(samples.ACCOUNT, datetime.now(UTC), timeout=0.5) is None


def _wait(predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while datetime.now(UTC) < deadline:
        if predicate():
            return True
        threading.Event().wait(0.05)
    return predicate()

