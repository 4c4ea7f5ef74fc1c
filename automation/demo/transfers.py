"""Realistic demo and benchmark transfers: college-athletics events, venues, seats, sellers,
deadlines, in every state. Bulk insert uses COPY, so 100k rows take seconds; the audit rows
their states imply are written in the same transaction (:mod:`automation.demo.audit`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from app.db.engine import libpq_url
from app.domain.states import OPEN_STATUSES, EscrowStatus, Outcome, Status
from automation.demo.audit import last_transfer_id, write_history

TEAMS = (
    ("Texas A&M Aggies", "Kyle Field", "College Station, TX"),
    ("Clemson Tigers", "Memorial Stadium", "Clemson, SC"),
    ("Iowa State Cyclones", "Jack Trice Stadium", "Ames, IA"),
    ("Kansas Jayhawks", "Allen Fieldhouse", "Lawrence, KS"),
    ("Virginia Tech Hokies", "Lane Stadium", "Blacksburg, VA"),
    ("Oregon State Beavers", "Reser Stadium", "Corvallis, OR"),
    ("Nebraska Cornhuskers", "Memorial Stadium", "Lincoln, NE"),
    ("Arizona Wildcats", "McKale Center", "Tucson, AZ"),
    ("Wisconsin Badgers", "Camp Randall Stadium", "Madison, WI"),
    ("Kentucky Wildcats", "Rupp Arena", "Lexington, KY"),
)
OPPONENTS = ("Alabama", "LSU", "Georgia", "Ohio State", "Michigan", "Duke", "UCLA", "Baylor",
             "Texas Tech", "Florida", "Auburn", "Iowa", "Purdue", "Utah", "Stanford")
SPORTS = ("Football", "Men's Basketball", "Women's Basketball", "Baseball", "Volleyball")
FIRST = ("James", "Maria", "Robert", "Linda", "Michael", "Sarah", "David", "Karen", "Carlos",
         "Aisha", "Wei", "Priya", "John", "Emily", "Luis", "Grace", "Ahmed", "Olivia")
LAST = ("Smith", "Johnson", "Garcia", "Brown", "Nguyen", "Miller", "Davis", "Martinez",
        "Lopez", "Wilson", "Patel", "Kim", "Thompson", "Clark", "Hughes", "Rivera")
#: Age range (hours) of open transfers: inside the 72 h accept window, with 12 h to spare.
OPEN_AGE_HOURS = (1.0, 60.0)
#: Accept-by is at least this long before the event starts.
EVENT_MARGIN = timedelta(hours=2)
#: Share of each status in generated data (sums to 100).
STATUS_MIX = (
    (Status.AWAITING_NOTICE, 30), (Status.NOTICE_RECEIVED, 25), (Status.ACCEPTING, 3),
    (Status.NEEDS_REVIEW, 7), (Status.VERIFIED, 25), (Status.REJECTED, 5), (Status.EXPIRED, 5),
)
COLUMNS = (
    "order_ref", "platform", "account_id", "seller_name", "seller_email", "event_name", "venue",
    "event_starts_at", "section", "row", "seats", "quantity", "status", "accept_by",
    "accept_url", "transfer_ref", "notice_received_at", "claimed_by", "claimed_at",
    "lease_until", "attempts", "last_outcome", "verified_at", "verified_by", "method",
    "payment_intent_id", "amount", "currency", "escrow_status", "hold_expires_at", "created_at",
)
#: How far back generated verifications go (the dashboard shows 14 days).
HISTORY_DAYS = 14
DEMO_SITES = (
    ("https://12thman.evenue.example", "transfers+aggies@marketplace.example", "Aggies"),
    ("https://clemson.evenue.example", "transfers+clemson@marketplace.example", "Clemson"),
    ("https://cyclones.evenue.example", "transfers+isu@marketplace.example", "Iowa State"),
)


def generate(n: int, seed: int = 1, now: datetime | None = None, prefix: str = "DEMO",
             account_ids: tuple[int, ...] = ()) -> Iterator[dict[str, Any]]:
    """Yield ``n`` transfer rows (column -> value) covering every status."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    statuses = [s for s, share in STATUS_MIX for _ in range(share)]
    events = _events(rng, now)
    for i in range(n):
        team, venue, opponent, sport, starts = events[rng.randrange(len(events))]
        status = statuses[rng.randrange(len(statuses))]
        # open transfers are younger than their 72 h window: none is overdue by construction
        age = OPEN_AGE_HOURS if status in OPEN_STATUSES else (1, 96)
        created = now - timedelta(hours=rng.uniform(*age))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        quantity = rng.choice((1, 2, 2, 2, 3, 4, 4, 6))
        first_seat = rng.randint(1, 30)
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            order_ref=f"{prefix}-{i + 1:07d}",
            platform="paciolan",
            account_id=account_ids[i % len(account_ids)] if account_ids else None,
            seller_name=f"{first} {last}",
            seller_email=f"{first}.{last}{rng.randint(1, 999)}@example.com".lower(),
            event_name=f"{team} vs. {opponent} - {sport}",
            venue=venue,
            event_starts_at=starts,
            section=str(rng.choice((rng.randint(100, 140), rng.randint(200, 240)))),
            row=rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") if rng.random() < 0.5 else
            str(rng.randint(1, 45)),
            seats=[str(first_seat + k) for k in range(quantity)],
            quantity=quantity,
            status=status.value,
            accept_by=created + timedelta(hours=72),
            attempts=0,
            payment_intent_id=f"pi_{prefix.lower()}{seed}x{i + 1:07d}",
            amount=rng.randrange(40, 600) * 100 * quantity // 2,
            currency="usd",
            escrow_status=EscrowStatus.HELD.value,
            hold_expires_at=created + timedelta(days=7),
            created_at=created,
        )
        _apply_status(row, status, rng, now)
        # the portal closes the accept window before the game; the hold outlives the window
        row["accept_by"] = min(row["accept_by"], starts - EVENT_MARGIN)
        yield row


def _events(rng: random.Random, now: datetime) -> list[tuple[str, str, str, str, datetime]]:
    events = []
    for team, venue, _city in TEAMS:
        for _ in range(12):
            day = now + timedelta(days=rng.randint(1, 75))
            starts = day.replace(hour=rng.choice((17, 18, 19, 23)), minute=rng.choice((0, 30)),
                                 second=0, microsecond=0)
            events.append((team, venue, rng.choice(OPPONENTS), rng.choice(SPORTS), starts))
    return events


def _apply_status(row: dict[str, Any], status: Status, rng: random.Random, now: datetime
                  ) -> None:
    if status is not Status.AWAITING_NOTICE:
        token = f"{rng.getrandbits(48):012x}"
        row.update(transfer_ref=token, notice_received_at=row["created_at"] + timedelta(hours=1),
                   accept_url=f"https://12thman.evenue.example/transfer/accept?t={token}")
    if status is Status.ACCEPTING:
        row.update(claimed_by="demo-worker", claimed_at=now, attempts=1,
                   lease_until=now + timedelta(minutes=2))
    elif status is Status.NEEDS_REVIEW:
        row.update(attempts=rng.randint(1, 5), last_outcome=rng.choice(
            (Outcome.BOT_CHALLENGE, Outcome.WRONG_TICKETS, Outcome.SELECTOR_DRIFT,
             Outcome.LOGIN_FAILED)).value)
    elif status is Status.VERIFIED:
        manual = rng.random() < 0.15
        verified_at, noticed = _verification_times(rng, now, manual)
        created = noticed - timedelta(hours=rng.uniform(0.2, 30))
        row.update(attempts=0 if manual else 1, verified_at=verified_at,
                   notice_received_at=noticed, created_at=created,
                   accept_by=created + timedelta(hours=72),
                   hold_expires_at=created + timedelta(days=7),
                   method="manual" if manual else "auto",
                   verified_by="Dana" if manual else "worker-1",
                   last_outcome=None if manual else Outcome.ACCEPTED.value,
                   escrow_status=EscrowStatus.CAPTURED.value)
    elif status is Status.REJECTED:
        row.update(escrow_status=EscrowStatus.CANCELLED.value)
    elif status is Status.EXPIRED:
        row.update(accept_by=now - timedelta(hours=rng.randint(1, 48)),
                   escrow_status=EscrowStatus.CANCELLED.value)


def _verification_times(rng: random.Random, now: datetime, manual: bool
                        ) -> tuple[datetime, datetime]:
    """(verified_at, notice_received_at) spread over the last :data:`HISTORY_DAYS` days.

    Busier on recent days and weekends' eves (game days), mostly in US daytime (13-05 UTC);
    the notice-to-verified time is log-normal: minutes for the worker, hours for staff.
    """
    while True:
        days_ago = int(rng.expovariate(1 / 8))
        if days_ago >= HISTORY_DAYS:
            continue
        day = (now - timedelta(days=days_ago)).date()
        if day.weekday() not in (4, 5) and rng.random() < 0.25:  # Fri/Sat are game days
            continue
        hour = (13 + rng.triangular(0, 16, 6)) % 24
        verified_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=hour)
        if verified_at <= now - timedelta(minutes=1):
            break
    median_minutes = 180.0 if manual else 12.0
    minutes = min(rng.lognormvariate(math.log(median_minutes), 0.9), 48 * 60.0)
    return verified_at, verified_at - timedelta(minutes=max(minutes, 1.0))


def insert_demo(database_url: str, n: int, seed: int = 1, prefix: str = "DEMO",
                with_accounts: bool = True) -> int:
    """Insert ``n`` generated transfers with COPY (plus demo portal accounts); returns ``n``."""
    with psycopg.connect(libpq_url(database_url)) as conn:
        account_ids: tuple[int, ...] = ()
        if with_accounts:
            account_ids = _ensure_accounts(conn)
        with conn.cursor() as cur:
            after = last_transfer_id(cur)
            with cur.copy(f"COPY transfers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in generate(n, seed, prefix=prefix, account_ids=account_ids):
                    copy.write_row([row[c] for c in COLUMNS])
            cur.execute(
                "INSERT INTO audit_log (action, actor_name, detail) VALUES ('create', 'demo data',"
                " %s::jsonb)", (f'{{"demo_rows": {n}, "prefix": "{prefix}"}}',),
            )
            write_history(cur, after, prefix, actor="demo data")
        conn.commit()
        conn.execute("ANALYZE transfers")
    return n


def _ensure_accounts(conn: psycopg.Connection[Any]) -> tuple[int, ...]:
    ids = []
    for site, username, label in DEMO_SITES:
        found = conn.execute("SELECT id FROM portal_accounts WHERE site_url = %s AND username = %s",
                             (site, username)).fetchone()
        if found is None:
            found = conn.execute(
                "INSERT INTO portal_accounts (site_url, username, label) VALUES (%s, %s, %s)"
                " RETURNING id", (site, username, label)).fetchone()
        assert found is not None
        ids.append(int(found[0]))
    return tuple(ids)
