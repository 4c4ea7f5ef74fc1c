"""Database states for the views' window tests, recorded through the real services.

:func:`seed_account_states` gives one portal account per session state (runs recorded by a
bot's claims, a breaker tripped by one block); :func:`seed_dashboard` records
known verifications, a lapse and blocks for the dashboard; :func:`seed_readable_timeline` walks
one transfer through notice, a claim released, a refused sign-in and a manual decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from app.domain.account_states import SessionState
from app.domain.records import NewTransfer, TransferFull
from app.domain.states import Outcome, Role
from app.evidence import Upload
from app.repositories.breakers import BreakerPolicy
from app.services.claims import ClaimService
from app.services.deadlines import DeadlineService
from app.services.queue import QueueService
from app.services.transfers import TransferService

WORKER = "vm-2:41:abc"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_refs = iter(range(1, 1_000_000))


def make_transfer(engine: Engine, account_id: int | None, notice_minutes_ago: float | None = 0,
                  **fields: object) -> TransferFull:
    """A transfer on ``account_id``; with its notice received that long ago (None: no notice)."""
    staff = TransferService(engine, "Dana (desk 3)", role=Role.STAFF)
    values: dict[str, object] = {
        "order_ref": f"ORD-V{next(_refs):05d}", "event_name": "Aggies vs. LSU - Football",
        "seller_name": "Maria Garcia", "seller_email": "maria@example.com", "venue": "Kyle Field",
        "section": "1A", "row": "12", "seats": ("7", "8"), "account_id": account_id,
        "accept_by": datetime.now(UTC) + timedelta(days=3), "amount": 24_000, "currency": "usd",
        **fields,
    }
    created = staff.create(NewTransfer(**values))  # type: ignore[arg-type]
    if notice_minutes_ago is None:
        return created
    return staff.mark_notice_received(
        created.row.id, accept_url="https://portal.example/accept?t=abc", transfer_ref="T-77",
        accept_by=None, received_at=datetime.now(UTC) - timedelta(minutes=notice_minutes_ago))


def record_run(claims: ClaimService, transfer: TransferFull, outcome: Outcome,
               detail: str = "") -> None:
    """One run of ``transfer`` by the bot, ended with ``outcome``."""
    claim = claims.claim(WORKER, transfer_id=transfer.row.id)
    assert claim is not None
    claims.record_outcome(claim.run_id, WORKER, outcome, detail)


def seed_account_states(engine: Engine) -> dict[SessionState, int]:
    """One account per session state (but session_expired: the same runs, an older session)."""
    supervisor = TransferService(engine, "Sam (supervisor)", role=Role.SUPERVISOR)
    claims = ClaimService(engine, role=Role.BOT, max_attempts=3)
    ids: dict[SessionState, int] = {}
    for n, state in enumerate((SessionState.SIGNED_IN, SessionState.SIGN_IN_FAILED,
                               SessionState.LOCKED, SessionState.BLOCKED_BY_SITE,
                               SessionState.PAUSED_BY_BREAKER, SessionState.NEVER_SIGNED_IN,
                               SessionState.UNKNOWN)):
        account = supervisor.add_account("paciolan", f"https://site{n}.example.edu",
                                         f"box{n}@market.example", label=f"Site {n}")
        ids[state] = account.id
    record_run(claims, make_transfer(engine, ids[SessionState.SIGNED_IN]), Outcome.ACCEPTED)
    record_run(claims, make_transfer(engine, ids[SessionState.SIGN_IN_FAILED]),
               Outcome.LOGIN_FAILED, "Invalid email or password.\nTry again")
    record_run(claims, make_transfer(engine, ids[SessionState.LOCKED]), Outcome.LOGIN_FAILED,
               "the portal account is locked")
    record_run(claims, make_transfer(engine, ids[SessionState.BLOCKED_BY_SITE]),
               Outcome.BLOCKED, "Access denied (ref 42)")
    tripping = ClaimService(engine, role=Role.BOT, breaker=BreakerPolicy(blocks=1))
    record_run(tripping, make_transfer(engine, ids[SessionState.PAUSED_BY_BREAKER]),
               Outcome.BLOCKED, "Access to this page is denied")
    record_run(claims, make_transfer(engine, ids[SessionState.UNKNOWN]), Outcome.SELECTOR_DRIFT,
               "no sign-in button")
    make_transfer(engine, ids[SessionState.NEVER_SIGNED_IN], notice_minutes_ago=None)
    return ids


@dataclass(frozen=True)
class DashboardSeed:
    """What :func:`seed_dashboard` recorded today."""

    by_automation: int
    by_hand: int
    minutes: tuple[float, ...]  # notice-to-verified of each verification with a notice
    expired: int
    blocked_site: str
    blocked_runs: int


def seed_dashboard(engine: Engine) -> DashboardSeed:
    """Three automatic verifications (3, 10, 100 min after the notice), one by hand (600 min),
    one expired transfer and two blocked runs on one site, all now."""
    supervisor = TransferService(engine, "Sam (supervisor)", role=Role.SUPERVISOR)
    staff = TransferService(engine, "Dana (desk 3)", role=Role.STAFF)
    claims = ClaimService(engine, role=Role.BOT, max_attempts=3)
    account = supervisor.add_account("paciolan", "https://a.example.edu", "u@m.example")
    blocked = supervisor.add_account("paciolan", "https://blocked.example.edu", "b@m.example")
    for minutes in (3, 10, 100):
        record_run(claims, make_transfer(engine, account.id, minutes), Outcome.ACCEPTED)
    by_hand = make_transfer(engine, account.id, 600)
    staff.manual_verify(by_hand.row.id, by_hand.row.version, "seen in My Account",
                        uploads=[Upload("p.png", PNG)])
    for _ in range(2):
        record_run(claims, make_transfer(engine, blocked.id, 1), Outcome.BLOCKED, "denied")
    make_transfer(engine, account.id, 5, accept_by=datetime.now(UTC) - timedelta(minutes=1))
    expired = DeadlineService(engine, "sweeper").sweep().expired
    return DashboardSeed(3, 1, (3.0, 10.0, 100.0, 600.0), len(expired),
                         blocked.site_url, 2)


def seed_readable_timeline(engine: Engine) -> int:
    """A transfer walked through notice, a desk's claim released, a refused sign-in (review)
    and a manual verification with a screenshot: its id."""
    supervisor = TransferService(engine, "Sam (supervisor)", role=Role.SUPERVISOR)
    staff = TransferService(engine, "Dana (desk 3)", role=Role.STAFF)
    claims = ClaimService(engine, role=Role.BOT, max_attempts=5)
    account = supervisor.add_account("paciolan", "https://gobulldogs.evenue.net", "d@m.example",
                                     label="Bulldogs box")
    transfer = make_transfer(engine, account.id, 30, seller_name="Kelly Marsh")
    desk = ClaimService(engine, "Dana (desk 3)", role=Role.STAFF)
    assert desk.claim("desk:ana-pc:77", transfer_id=transfer.row.id) is not None
    desk.release(transfer.row.id, "desk:ana-pc:77", reason="released from the desk")
    record_run(claims, transfer, Outcome.LOGIN_FAILED, "Invalid email or password.")
    version = QueueService(engine, role=Role.STAFF).get(transfer.row.id).row.version
    staff.manual_verify(transfer.row.id, version, "seats 7-8 seen in My Account",
                        uploads=[Upload("my-account.png", PNG)])
    return transfer.row.id
