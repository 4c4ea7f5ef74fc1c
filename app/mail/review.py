"""Staff review of notices the matcher left alone: list them, link one to a transfer by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import MailMessage, PortalAccount, Transfer
from app.domain.errors import DomainError, NotFoundError
from app.domain.records import MailMessageInfo, TransferFull
from app.evidence import DEFAULT_MAX_BYTES, Upload, read_checked
from app.evidence import store as store_evidence
from app.mail import store
from app.services.base import Service
from app.services.transfers import apply_notice_received
from app.urls import check_accept_url

REVIEW_STATUSES = ("unmatched", "ambiguous")


def _info(row: MailMessage) -> MailMessageInfo:
    return MailMessageInfo(
        id=row.id, message_key=row.message_key, mailbox=row.mailbox, folder=row.folder,
        uid=row.uid, from_addr=row.from_addr, subject=row.subject, received_at=row.received_at,
        kind=row.kind, match_status=row.match_status, match_score=row.match_score,
        transfer_id=row.transfer_id, evidence_id=row.evidence_id, parse_error=row.parse_error,
    )


class MailReviewService(Service):
    """Unmatched and ambiguous transfer notices, and the manual link."""

    def unmatched(self, limit: int = 500) -> list[MailMessageInfo]:
        """Notices waiting for staff (unmatched or ambiguous, or notice-looking mail no
        template reads yet, for teaching), newest first."""
        with self.transaction() as session:
            rows = session.scalars(
                select(MailMessage)
                .where(MailMessage.kind.in_(("transfer_notice", "unrecognized")),
                       MailMessage.match_status.in_(REVIEW_STATUSES))
                .order_by(MailMessage.received_at.desc().nulls_last(), MailMessage.id.desc())
                .limit(limit)
            ).all()
            return [_info(r) for r in rows]

    def link(self, mail_message_id: int, transfer_id: int) -> TransferFull:
        """Link a notice to a transfer: the transfer moves to notice_received with the notice's
        accept link and deadline, and the raw email becomes its evidence.

        One transaction with the message row locked for the whole step: two staff linking the
        same notice at once, one wins and the other gets a clear error; when anything fails
        (the email's evidence no longer matches its hash, the link is off the portal) nothing
        moves.

        Raises:
            NotFoundError: no such message or transfer.
            DomainError: not a notice waiting for review, the transfer cannot take a notice,
                or the notice's accept link is not on the account's site (UntrustedLinkError).
            EvidenceError: the stored email failed its integrity check.
        """
        with self.transaction() as session:
            row = session.get(MailMessage, mail_message_id, with_for_update=True,
                              populate_existing=True)
            if row is None:
                raise NotFoundError("mail message", mail_message_id)
            if row.kind != "transfer_notice" or row.match_status not in REVIEW_STATUSES:
                raise DomainError(
                    f"mail message {mail_message_id} is {row.match_status} "
                    f"({row.kind}); only unmatched or ambiguous notices can be linked"
                )
            parsed = dict(row.parsed)
            accept_url = check_accept_url(parsed.get("accept_url"),
                                          _site_url_of(session, transfer_id))
            expires = parsed.get("expires_at")
            full = apply_notice_received(
                session, transfer_id, self.actor_name, accept_url=accept_url,
                transfer_ref=parsed.get("transfer_ref"),
                accept_by=datetime.fromisoformat(expires) if expires else None,
                received_at=row.received_at, mail_message_id=mail_message_id,
            )
            linked_evidence = None
            if row.evidence_id is not None:
                info, content = read_checked(session, row.evidence_id)
                linked_evidence = store_evidence(
                    session, Upload(info.filename, content, "email"), DEFAULT_MAX_BYTES,
                    self.actor_name, transfer_id).id
            store.finish_message(session, mail_message_id, match_status="matched",
                                 transfer_id=transfer_id, evidence_id=linked_evidence)
            return full


def _site_url_of(session: Session, transfer_id: int) -> str | None:
    """The registered site of the transfer's portal account (None without an account)."""
    return session.scalar(
        select(PortalAccount.site_url)
        .join(Transfer, Transfer.account_id == PortalAccount.id)
        .where(Transfer.id == transfer_id)
    )
