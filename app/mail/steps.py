"""The business steps of mail ingest, each inside the caller's one transaction.

Storing the email as evidence, moving the transfer and finishing the message row happen in one
transaction (:class:`app.mail.ingest.MailIngest` opens it): a crash between them leaves nothing
half done, and the message row, still ``pending``, is taken over by the next sync.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db.models import MailMessage, Transfer
from app.domain.errors import DomainError
from app.domain.states import OPEN_STATUSES, Action, Status
from app.mail.parser import ParsedMessage
from app.repositories import records
from app.repositories import transfers as repo
from app.services import transitions

log = logging.getLogger(__name__)


def store_email(
    session: Session, raw: bytes, filename: str, transfer_id: int | None, max_bytes: int,
    actor_name: str,
) -> int | None:
    """Store the raw .eml as evidence (kind ``email``) in a savepoint; None when refused."""
    from app.evidence import Upload
    from app.evidence import store as store_evidence

    try:
        with session.begin_nested():
            info = store_evidence(session, Upload(filename, raw, "email"), max_bytes,
                                  actor_name, transfer_id)
    except (DomainError, DBAPIError) as exc:
        log.warning("email %s not stored as evidence: %s", filename, exc)
        return None
    return info.id


def mark_notice_received(
    session: Session, transfer_id: int, parsed: ParsedMessage, accept_url: str | None,
    accept_by: datetime | None, received: datetime | None, row_id: int, actor_name: str,
) -> bool:
    """Move the transfer to notice_received (savepoint); False when it cannot move."""
    values: dict[str, Any] = {
        "accept_url": accept_url, "transfer_ref": parsed.transfer_ref,
        "notice_received_at": received or datetime.now().astimezone(), "next_attempt_at": None,
    }
    if accept_by is not None:
        values["accept_by"] = accept_by
    detail = {"mail_message_id": row_id, "transfer_ref": parsed.transfer_ref}
    try:
        with session.begin_nested():
            transfer = repo.get_checked(session, transfer_id, None)
            transitions.apply(session, transfer, Action.NOTICE_MATCHED, Status.NOTICE_RECEIVED,
                              values, actor_name, detail)
    except DomainError as exc:
        log.warning("notice matched transfer %s but it cannot move: %s", transfer_id, exc)
        return False
    return True


def known_transfer(session: Session, parsed: ParsedMessage) -> int | None:
    """The open transfer a follow-up (reminder, cancellation, confirmation) is about.

    By the portal's transfer reference first (on the transfer or on the notice already
    received), else by an earlier notice from the same seller for the same event.
    """
    if parsed.transfer_ref:
        found = session.scalar(
            select(Transfer.id).where(Transfer.transfer_ref == parsed.transfer_ref,
                                      Transfer.platform == (parsed.platform or ""))
            .order_by(Transfer.id.desc()).limit(1)
        )
        if found is not None:
            return int(found)
    keys = []
    if parsed.transfer_ref:
        keys.append(MailMessage.parsed["transfer_ref"].astext == parsed.transfer_ref)
    if parsed.sender_email and parsed.event_name:
        keys.append((MailMessage.parsed["sender_email"].astext == parsed.sender_email)
                    & (MailMessage.parsed["event_name"].astext == parsed.event_name))
    if not keys:
        return None
    found = session.scalar(
        select(MailMessage.transfer_id).where(
            MailMessage.kind == "transfer_notice", MailMessage.transfer_id.is_not(None),
            or_(*keys),
        ).order_by(MailMessage.id.desc()).limit(1)
    )
    return int(found) if found is not None else None


def cancel_to_review(
    session: Session, transfer_id: int, evidence_id: int | None, row_id: int, actor_name: str
) -> bool:
    """The sender took the tickets back: the transfer goes to needs_review (runs stop)."""
    try:
        with session.begin_nested():
            transfer = repo.get_checked(session, transfer_id, None)
            if Status(transfer.status) not in OPEN_STATUSES:
                return False
            if transfer.status == Status.NEEDS_REVIEW.value:
                return True
            transitions.apply(
                session, transfer, Action.NOTICE_CANCELLED, Status.NEEDS_REVIEW,
                {"next_attempt_at": None}, actor_name,
                {"mail_message_id": row_id, "evidence_id": evidence_id,
                 "reason": "the sender cancelled the transfer (email)"},
            )
    except DomainError as exc:
        log.warning("cancellation for transfer %s not applied: %s", transfer_id, exc)
        records.raise_alarm(
            session, "transfer_cancelled", f"transfer:{transfer_id}",
            f"The sender cancelled transfer {transfer_id} by email, but it is being accepted "
            f"right now ({exc}); check it by hand.",
        )
        return False
    return True
