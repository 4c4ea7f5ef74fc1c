"""Staff review of notices the matcher left alone: list them, link one to a transfer by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.db.models import MailMessage
from app.domain.errors import DomainError, NotFoundError
from app.domain.records import MailMessageInfo, TransferFull
from app.mail import store
from app.services.base import Service

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

        Raises:
            NotFoundError: no such message.
            DomainError: not a notice waiting for review, or the transfer cannot take a notice.
        """
        from app.evidence import EvidenceStore
        from app.services.transfers import TransferService

        with self.transaction() as session:
            row = session.get(MailMessage, mail_message_id, with_for_update=True)
            if row is None:
                raise NotFoundError("mail message", mail_message_id)
            if row.kind != "transfer_notice" or row.match_status not in REVIEW_STATUSES:
                raise DomainError(
                    f"mail message {mail_message_id} is {row.match_status} "
                    f"({row.kind}); only unmatched or ambiguous notices can be linked"
                )
            parsed, evidence_id, received = dict(row.parsed), row.evidence_id, row.received_at
        expires = parsed.get("expires_at")
        full = TransferService(self._sessions, self.actor_name, self.role).mark_notice_received(
            transfer_id, accept_url=parsed.get("accept_url"),
            transfer_ref=parsed.get("transfer_ref"),
            accept_by=datetime.fromisoformat(expires) if expires else None,
            received_at=received, mail_message_id=mail_message_id,
        )
        linked_evidence = None
        if evidence_id is not None:
            evidence = EvidenceStore(self._sessions, self.actor_name, self.role)
            info, content = evidence.read(evidence_id)
            linked_evidence = evidence.put("email", info.filename, content, transfer_id).id
        with self.transaction() as session:
            store.finish_message(session, mail_message_id, match_status="matched",
                                 transfer_id=transfer_id, evidence_id=linked_evidence)
        return full
