"""Every SQL statement of mail ingest (the mail repository). Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import MailMessage, MailSyncState
from app.domain.states import Status
from app.mail.matching import Candidate

CANDIDATE_LIMIT = 50
# Plain SQL: built once (the candidate query runs for every notice; composing it with the ORM
# cost more than running it). Keys: seller email or name, event, portal reference.
_CANDIDATES = text("""
SELECT t.id, a.username, t.event_name, t.event_starts_at, t.section, t.row, t.seats,
       t.seller_name, t.seller_email, t.transfer_ref, a.site_url
FROM transfers t LEFT JOIN portal_accounts a ON a.id = t.account_id
WHERE t.platform = :platform
  AND (t.status = :awaiting
       OR (t.status = :received AND t.transfer_ref = CAST(:ref AS text)))
  AND (lower(t.seller_email) = CAST(:email AS text)
       OR lower(t.seller_name) = CAST(:name AS text)
       OR lower(t.event_name) = ANY(CAST(:events AS text[]))
       OR t.transfer_ref = CAST(:ref AS text))
  AND (cardinality(CAST(:recipients AS text[])) = 0 OR a.username IS NULL
       OR lower(a.username) = ANY(CAST(:recipients AS text[])))
ORDER BY coalesce((lower(t.seller_email) = CAST(:email AS text))::int, 0)
       + coalesce((lower(t.seller_name) = CAST(:name AS text))::int, 0)
       + coalesce((lower(t.event_name) = ANY(CAST(:events AS text[])))::int, 0)
       + coalesce((t.transfer_ref = CAST(:ref AS text))::int, 0)
       + coalesce((t.seats && CAST(:seats AS text[]))::int, 0)
       + 2 * (EXISTS (SELECT 1 FROM unnest(CAST(:sections AS text[]), CAST(:rows AS text[]))
                      AS p(section, row)
                      WHERE lower(t.section) = p.section AND lower(t.row) = p.row))::int
       DESC, t.id
LIMIT :limit
""")


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
    """Open transfers a notice could be for: awaiting its notice, and sharing a strong key.

    A transfer already at notice_received is included only when its portal reference equals
    the notice's (the same notice processed again after a crash). Transfers expected on an
    account the notice was not sent to are left out (the matcher would exclude them), and the
    rest are ranked by how many keys they share, so a seller or an event with hundreds of open
    transfers never pushes the right one past ``CANDIDATE_LIMIT``.
    """
    if not (seller_email or seller_name or event_names or transfer_ref):
        return []
    places = [(s.lower(), r.lower()) for s, r in places if s and r]
    rows = session.execute(_CANDIDATES, {
        "platform": platform, "email": (seller_email or "").lower() or None,
        "name": (seller_name or "").lower() or None,
        "events": [e.lower() for e in event_names], "ref": transfer_ref,
        "recipients": [r.lower() for r in recipients], "seats": list(seats),
        "sections": [p[0] for p in places], "rows": [p[1] for p in places],
        "awaiting": Status.AWAITING_NOTICE.value, "received": Status.NOTICE_RECEIVED.value,
        "limit": CANDIDATE_LIMIT,
    }).all()
    return [
        Candidate(id=r[0], account_username=r[1], event_name=r[2], event_starts_at=r[3],
                  section=r[4], row=r[5], seats=tuple(r[6] or ()), seller_name=r[7],
                  seller_email=r[8], transfer_ref=r[9], account_site_url=r[10])
        for r in rows
    ]


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
