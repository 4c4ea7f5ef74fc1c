"""Every SQL statement of mail ingest (the mail repository). Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db.models import MailMessage, MailSyncState, PortalAccount, Transfer
from app.domain.states import Status
from app.mail.matching import Candidate

CANDIDATE_LIMIT = 50


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
    keys = []
    if seller_email:
        keys.append(func.lower(Transfer.seller_email) == seller_email.lower())
    if seller_name:
        keys.append(func.lower(Transfer.seller_name) == seller_name.lower())
    if event_names:
        keys.append(func.lower(Transfer.event_name).in_([e.lower() for e in event_names]))
    if transfer_ref:
        keys.append(Transfer.transfer_ref == transfer_ref)
    if not keys:
        return []
    status_ok = Transfer.status == Status.AWAITING_NOTICE.value
    if transfer_ref:
        status_ok = or_(status_ok, (Transfer.status == Status.NOTICE_RECEIVED.value)
                        & (Transfer.transfer_ref == transfer_ref))
    where = [Transfer.platform == platform, status_ok, or_(*keys)]
    if recipients:
        where.append(or_(PortalAccount.username.is_(None),
                         func.lower(PortalAccount.username).in_([r.lower() for r in recipients])))
    shared: ColumnElement[Any] = sum((case((key, 1), else_=0) for key in keys),
                                     start=literal(0))
    if seats:
        wanted = cast(literal(list(seats), ARRAY(Text)), ARRAY(Text))
        shared = shared + case((Transfer.seats.op("&&")(wanted), 1),
                               else_=0)
    for section, row in places:  # the exact seat location ranks first
        if section and row:
            shared = shared + case(((func.lower(Transfer.section) == section.lower())
                                    & (func.lower(Transfer.row) == row.lower()), 2), else_=0)
    rows = session.execute(
        select(Transfer.id, PortalAccount.username, Transfer.event_name, Transfer.event_starts_at,
               Transfer.section, Transfer.row, Transfer.seats, Transfer.seller_name,
               Transfer.seller_email, Transfer.transfer_ref, PortalAccount.site_url)
        .outerjoin(PortalAccount, PortalAccount.id == Transfer.account_id)
        .where(*where)
        .order_by(shared.desc(), Transfer.id)
        .limit(CANDIDATE_LIMIT)
    ).all()
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
