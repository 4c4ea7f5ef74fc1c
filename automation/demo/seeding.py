"""The demo's data: a seeded queue in every state, and the live sender.

Seeding inserts generated transfers (:mod:`automation.demo.transfers`) on the sandbox accounts,
with the audit rows their states imply (:mod:`automation.demo.audit`, same transaction), gives
every one a real held PaymentIntent on localstripe (:mod:`automation.demo.holds`), and, for
the share that would be "notice received" or "accepting", creates the transfer on the sandbox
portal and mails its notice: mail sync then matches them for real, and the worker (or staff)
accepts them, which records runs and evidence.

:class:`LiveSender` adds one new order every ``interval`` seconds: the expected transfer with a
hold, then the seller's transfer on the portal and its notice email, so the chain is visible.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine

from app.db.engine import libpq_url
from app.domain.states import Status
from app.escrow.gateway import StripeGateway
from automation.demo.audit import last_transfer_id, write_history
from automation.demo.holds import place_holds
from automation.demo.transfers import COLUMNS, generate
from automation.sandbox.demo_world import random_details
from automation.sandbox.portal import SandboxPortal
from automation.sandbox.sender import Deliver, SentTransfer, TransferDetails, send_transfer

log = logging.getLogger(__name__)
LIVE_PREFIX = "LIVE"
DEMO_PREFIX = "DEMO"
_NOTICE_STATES = {Status.NOTICE_RECEIVED.value, Status.ACCEPTING.value}
_NOTICE_FIELDS = ("transfer_ref", "accept_url", "notice_received_at", "claimed_by",
                  "claimed_at", "lease_until", "last_outcome")


@dataclass(frozen=True)
class DemoAccount:
    """The marketplace's account on one sandbox site (database id and portal site)."""

    id: int
    site: str
    email: str
    display_name: str


@dataclass(frozen=True)
class SeedReport:
    """What seeding created."""

    rows: int
    notices: int
    holds: int


def seed_queue(
    engine: Engine,
    database_url: str,
    portal: SandboxPortal,
    deliver: Deliver,
    gateway: StripeGateway,
    accounts: Sequence[DemoAccount],
    count: int,
    rng_seed: int = 1,
) -> SeedReport:
    """Insert ``count`` transfers in every state, hold their money, send the notices due."""
    if count <= 0:
        return SeedReport(0, 0, 0)
    by_id = {a.id: a for a in accounts}
    rows = list(generate(count, rng_seed, prefix=DEMO_PREFIX, account_ids=tuple(by_id)))
    to_notify = []
    for row in rows:
        row.update(payment_intent_id=None, escrow_status="none", hold_expires_at=None)
        if row["status"] in _NOTICE_STATES:
            row.update(dict.fromkeys(_NOTICE_FIELDS), status=Status.AWAITING_NOTICE.value,
                       attempts=0)
            to_notify.append(row)
    with psycopg.connect(libpq_url(database_url)) as conn, conn.cursor() as cur:
        after = last_transfer_id(cur)
        with cur.copy(f"COPY transfers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])
        cur.execute("INSERT INTO audit_log (action, actor_name, detail) VALUES "
                    "('create', 'demo seed', jsonb_build_object('demo_rows', %s::int))",
                    (len(rows),))
        write_history(cur, after, DEMO_PREFIX, actor="demo seed")
    holds = place_holds(engine, gateway, actor_name="demo seed")
    for row in to_notify:
        account = by_id[row["account_id"]]
        _send(portal, deliver, account, _details(row))
    return SeedReport(len(rows), len(to_notify), len(holds))


def _details(row: dict[str, Any]) -> TransferDetails:
    return TransferDetails(
        sender_name=row["seller_name"], sender_email=row["seller_email"],
        event_name=row["event_name"], event_starts_at=row["event_starts_at"],
        venue=row["venue"], section=row["section"], row=row["row"], seats=tuple(row["seats"]),
    )


def _send(portal: SandboxPortal, deliver: Deliver, account: DemoAccount,
          details: TransferDetails) -> SentTransfer:
    return send_transfer(portal, deliver, site=account.site, recipient_email=account.email,
                         recipient_name=account.display_name, details=details)


@dataclass(frozen=True)
class LiveTransfer:
    """One order sent by the live sender: ``emailed_at`` is when the APPEND returned."""

    transfer_id: int
    order_ref: str
    token: str
    emailed_at: datetime


@dataclass
class LiveSender:
    """Sends a new order every ``interval`` seconds on a thread (``limit`` caps the count)."""

    engine: Engine
    portal: SandboxPortal
    deliver: Deliver
    gateway: StripeGateway
    accounts: Sequence[DemoAccount]
    interval: float
    limit: int | None = None
    sent: list[LiveTransfer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = random.Random()
        self._lock = threading.Lock()
        self.finished = threading.Event()

    def start(self) -> None:
        """Start sending on a background thread."""
        self._thread = threading.Thread(target=self._loop, name="demo-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sending (waits for a send in progress)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self.limit is not None and len(self.sent) >= self.limit:
                    return
                started = time.monotonic()
                try:
                    self.send_one()
                except Exception as exc:  # a demo keeps going; the error is reported
                    log.warning("demo sender: %s", exc)
                    self.errors.append(str(exc))
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        finally:
            self.finished.set()

    def send_one(self) -> LiveTransfer:
        """Create one expected transfer with a hold, then the portal transfer and its notice."""
        with self._lock:
            number = len(self.sent) + 1
            account = self.accounts[number % len(self.accounts)]
            details = random_details(self._rng, number, account.site)
            details = TransferDetails(
                **{**details.__dict__,
                   "event_starts_at": datetime.now(UTC).replace(microsecond=0)
                   + timedelta(days=self._rng.randint(3, 40))},
            )
            order_ref = f"{LIVE_PREFIX}-{int(time.time())}-{number:05d}"
            transfer_id = _order_through_inbox(self.engine, dict(
                order_ref=order_ref, event_name=details.event_name, account_id=account.id,
                seller_name=details.sender_name, seller_email=details.sender_email,
                venue=details.venue, event_starts_at=details.event_starts_at,
                section=details.section, row=details.row, seats=list(details.seats),
                quantity=len(details.seats), amount_minor=self._rng.randrange(40, 400) * 100,
            ))
            place_holds(self.engine, self.gateway, [transfer_id], actor_name="demo sender")
            sent = _send(self.portal, self.deliver, account, details)
            live = LiveTransfer(transfer_id, order_ref, sent.token, datetime.now(UTC))
            self.sent.append(live)
            log.info("demo sender: sent %s (transfer %d)", order_ref, transfer_id)
            return live


def _order_through_inbox(engine: Engine, fields: dict[str, Any]) -> int:
    """The marketplace's way in: insert into ``order_inbox`` as the intake role, let the
    applier answer it (this process applies at once; a running worker may be first)."""
    from app.intake.inbox import answer, submit_order
    from app.intake.service import IntakeService

    row_id = submit_order(engine, **fields)
    IntakeService(engine, "order inbox").drain_inbox()
    status, transfer_id, reason = answer(engine, row_id)
    waited_until = time.monotonic() + 30
    while status == "pending" and time.monotonic() < waited_until:  # another applier has it
        time.sleep(0.1)
        status, transfer_id, reason = answer(engine, row_id)
    if status != "applied" or transfer_id is None:
        raise RuntimeError(f"order {fields['order_ref']} was {status}: {reason}")
    return transfer_id
