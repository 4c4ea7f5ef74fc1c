"""Every SQL statement of mail ingest (the mail repository). Callers own the transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import MailMessage, MailSyncState
from app.domain.states import Status
from app.mail.matching import Candidate

CANDIDATE_LIMIT = 50
# Plain SQL, built once: the candidate pools of a whole ingest batch in ONE statement. The open
# transfers of the batch's platforms are read once (lower-cased once), paired with each notice
# by equal keys (seller email or name, event, portal reference: hash joins), ranked per notice
# by how many keys they share, and the best ``limit`` of each notice come back, one row per
# transfer with the notices (batch positions) it is a candidate for.
_CANDIDATE_POOLS = text("""
WITH n AS (
  SELECT * FROM jsonb_to_recordset(CAST(:notices AS jsonb)) AS n(
    idx int, platform text, email text, name text, events text[], ref text,
    recipients text[], seats text[], sections text[], place_rows text[])
), o AS MATERIALIZED (
  SELECT t.id, t.platform, t.status, lower(t.seller_email) AS email,
         lower(t.seller_name) AS name, lower(t.event_name) AS event, t.transfer_ref AS ref,
         t.seats, lower(t.section) AS section, lower(t.row) AS place_row,
         lower(a.username) AS username
  FROM transfers t LEFT JOIN portal_accounts a ON a.id = t.account_id
  WHERE t.platform IN (SELECT platform FROM n)
    AND (t.status = :awaiting
         OR (t.status = :received AND t.transfer_ref IN (SELECT ref FROM n)))
), pairs AS (
  SELECT n.idx, o.id FROM n JOIN o ON o.email = n.email
  UNION SELECT n.idx, o.id FROM n JOIN o ON o.name = n.name
  UNION SELECT n.idx, o.id FROM n CROSS JOIN LATERAL unnest(n.events) AS e(event)
        JOIN o ON o.event = e.event
  UNION SELECT n.idx, o.id FROM n JOIN o ON o.ref = n.ref
), ranked AS (
  SELECT n.idx, o.id, row_number() OVER (PARTITION BY n.idx ORDER BY
           coalesce((o.email = n.email)::int, 0) + coalesce((o.name = n.name)::int, 0)
         + coalesce((o.event = ANY(n.events))::int, 0) + coalesce((o.ref = n.ref)::int, 0)
         + coalesce((o.seats && n.seats)::int, 0)
         + 2 * (EXISTS (SELECT 1 FROM unnest(n.sections, n.place_rows) AS p(section, place_row)
                        WHERE o.section = p.section AND o.place_row = p.place_row))::int
         DESC, o.id) AS place
  FROM (SELECT pairs.idx, o.* FROM pairs JOIN o ON o.id = pairs.id OFFSET 0) AS o
  JOIN n ON n.idx = o.idx
  WHERE o.platform = n.platform AND (o.status = :awaiting OR o.ref = n.ref)
    AND (cardinality(n.recipients) = 0 OR o.username IS NULL
         OR o.username = ANY(n.recipients))
), best AS (
  SELECT id, array_agg(idx) AS notices FROM ranked WHERE place <= :limit GROUP BY id
)
SELECT t.id, a.username, t.event_name, t.event_starts_at, t.section, t.row, t.seats,
       t.seller_name, t.seller_email, t.transfer_ref, a.site_url, best.notices
FROM best JOIN transfers t ON t.id = best.id LEFT JOIN portal_accounts a ON a.id = t.account_id
ORDER BY t.id
""")


@dataclass(frozen=True)
class CandidateKeys:
    """What the candidate query needs to know about one notice (see :func:`candidate_pools`)."""

    platform: str
    seller_email: str | None
    seller_name: str | None
    event_names: Sequence[str]
    transfer_ref: str | None
    recipients: Sequence[str] = ()
    seats: Sequence[str] = ()
    places: Sequence[tuple[str | None, str | None]] = ()

    @property
    def searchable(self) -> bool:
        """True when the notice has at least one key a transfer can share."""
        return bool(self.seller_email or self.seller_name or self.event_names
                    or self.transfer_ref)

    def to_param(self, idx: int) -> dict[str, Any]:
        """The notice as one record of the query's ``notices`` parameter (lower-cased)."""
        places = [(s.lower(), r.lower()) for s, r in self.places if s and r]
        return {
            "idx": idx, "platform": self.platform,
            "email": (self.seller_email or "").lower() or None,
            "name": (self.seller_name or "").lower() or None,
            "events": [e.lower() for e in self.event_names], "ref": self.transfer_ref,
            "recipients": [r.lower() for r in self.recipients], "seats": list(self.seats),
            "sections": [p[0] for p in places], "place_rows": [p[1] for p in places],
        }


def sync_state(session: Session, mailbox: str, folder: str) -> tuple[int, int] | None:
    """(uidvalidity, last_uid) of a folder, or None before its first sync."""
    row = session.get(MailSyncState, (mailbox, folder))
    return (row.uidvalidity, row.last_uid) if row else None


def save_sync_state(
    session: Session, mailbox: str, folder: str, uidvalidity: int, last_uid: int
) -> None:
    """Upsert the folder's position (last_uid only moves forward within one UIDVALIDITY)."""
    stmt = insert(MailSyncState).values(
        mailbox=mailbox, folder=folder, uidvalidity=uidvalidity, last_uid=last_uid
    )
    session.execute(stmt.on_conflict_do_update(
        index_elements=[MailSyncState.mailbox, MailSyncState.folder],
        set_={
            "uidvalidity": uidvalidity,
            "last_uid": text(
                "CASE WHEN mail_sync_state.uidvalidity = excluded.uidvalidity "
                "THEN GREATEST(mail_sync_state.last_uid, excluded.last_uid) "
                "ELSE excluded.last_uid END"
            ),
            "updated_at": func.now(),
        },
    ))


def claim_messages(
    session: Session, rows: list[dict[str, Any]], stale_seconds: float
) -> list[int | None]:
    """Insert message rows in one statement; return each row's id, None when already known.

    Only the first row of a key gets an id. A row left ``pending`` for longer than
    ``stale_seconds`` (a crash mid-processing) is taken over instead, so a re-fetched message
    is processed exactly once.
    """
    if not rows:
        return []
    # Key order: two syncs inserting overlapping batches lock rows in the same order (no deadlock).
    stmt = insert(MailMessage).values(sorted(rows, key=lambda r: str(r["message_key"])))
    inserted = dict(session.execute(
        stmt.on_conflict_do_nothing(index_elements=[MailMessage.message_key])
        .returning(MailMessage.message_key, MailMessage.id)
    ).all())
    known = {r["message_key"]: r for r in rows if r["message_key"] not in inserted}
    stale = session.scalars(
        select(MailMessage.message_key).where(
            MailMessage.message_key.in_(list(known)),
            MailMessage.match_status == "pending",
            MailMessage.created_at < func.now() - func.make_interval(
                0, 0, 0, 0, 0, 0, stale_seconds),
        ).with_for_update(skip_locked=True)
    ).all() if known else []
    for key in stale:  # rare: take the abandoned row over with this attempt's values
        values = {k: v for k, v in known[key].items() if k != "message_key"}
        inserted[key] = session.execute(
            update(MailMessage).where(MailMessage.message_key == key)
            .values(**values, created_at=func.now()).returning(MailMessage.id)
        ).scalar_one()
    ids: list[int | None] = []
    for row in rows:
        ids.append(inserted.pop(row["message_key"], None))
    return ids


def finish_message(session: Session, message_id: int, **values: Any) -> None:
    """Record the outcome of processing (status, score, transfer, evidence, parse error)."""
    session.execute(update(MailMessage).where(MailMessage.id == message_id).values(**values))


def candidates(
    session: Session,
    platform: str,
    seller_email: str | None,
    seller_name: str | None,
    event_names: list[str],
    transfer_ref: str | None,
    recipients: Sequence[str] = (),
    seats: Sequence[str] = (),
    places: Sequence[tuple[str | None, str | None]] = (),
) -> list[Candidate]:
    """Open transfers one notice could be for (:func:`candidate_pools` of a single notice)."""
    keys = CandidateKeys(platform, seller_email, seller_name, event_names, transfer_ref,
                         recipients, seats, places)
    return candidate_pools(session, [keys])[0]


def candidate_pools(session: Session, notices: Sequence[CandidateKeys]) -> list[list[Candidate]]:
    """Open transfers each notice could be for: awaiting its notice, and sharing a strong key.

    One statement for the whole batch. A transfer already at notice_received is included only
    when its portal reference equals the notice's (the same notice processed again after a
    crash). Transfers expected on an account the notice was not sent to are left out (the
    matcher would exclude them), and the rest are ranked by how many keys they share, so a
    seller or an event with hundreds of open transfers never pushes the right one past
    ``CANDIDATE_LIMIT``. Each pool is in transfer id order; a transfer that is a candidate of
    several notices is one shared :class:`Candidate`.
    """
    pools: list[list[Candidate]] = [[] for _ in notices]
    params = [keys.to_param(i) for i, keys in enumerate(notices) if keys.searchable]
    if not params:
        return pools
    rows = session.execute(_CANDIDATE_POOLS, {
        "notices": json.dumps(params), "awaiting": Status.AWAITING_NOTICE.value,
        "received": Status.NOTICE_RECEIVED.value, "limit": CANDIDATE_LIMIT,
    }).all()
    for r in rows:
        candidate = Candidate(
            id=r[0], account_username=r[1], event_name=r[2], event_starts_at=r[3], section=r[4],
            row=r[5], seats=tuple(r[6] or ()), seller_name=r[7], seller_email=r[8],
            transfer_ref=r[9], account_site_url=r[10],
        )
        for idx in r[11]:
            pools[idx].append(candidate)
    return pools


def recent_codes(
    session: Session, account_email: str, newer_than: datetime
) -> list[tuple[datetime | None, str]]:
    """Verification codes stored for ``account_email`` after ``newer_than``, newest first."""
    rows = session.execute(
        select(MailMessage.received_at, MailMessage.parsed["code"].astext)
        .where(
            MailMessage.kind == "verification_code",
            MailMessage.received_at > newer_than,
            MailMessage.parsed["to_addrs"].contains([account_email.lower()]),
        )
        .order_by(MailMessage.received_at.desc())
    ).all()
    return [(r[0], r[1]) for r in rows if r[1]]


def status_counts(session: Session, mailbox: str) -> dict[str, int]:
    """How many messages of ``mailbox`` are in each match status."""
    rows = session.execute(
        select(MailMessage.match_status, func.count())
        .where(MailMessage.mailbox == mailbox)
        .group_by(MailMessage.match_status)
    ).all()
    return {str(r[0]): int(r[1]) for r in rows}
