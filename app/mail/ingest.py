"""From raw message bytes to a recorded, matched notice: the mail ingest service.

One message, in order:

1. parse (pure, never raises);
2. claim its row in ``mail_messages`` (``message_key`` is unique, so a duplicate delivery, a
   resync after a UIDVALIDITY change or a second desktop syncing the same mailbox stops here);
3. a portal message the templates no longer read raises a ``template_drift`` alarm (one per
   platform and kind, counting up) and publishes :class:`TemplateDriftAlarm`;
4. a transfer notice is matched (:mod:`app.mail.matching`); a match stores the raw .eml as
   evidence (kind ``email``), moves the transfer to notice_received with its accept link and
   expiry and finishes the row, all in ONE transaction (:mod:`app.mail.steps`); ties, low
   scores and notices read with low confidence are left unmatched / ambiguous for staff;
5. a reminder or a confirmation is attached to its transfer as evidence (never a second
   notice); a cancellation also sends the transfer to needs_review (runs stop trying);
6. the row gets its final status: matched, unmatched, ambiguous, ignored (not a notice),
   oversized (stored, not parsed) or malformed (the parser reported an error).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db.models import MailMessage
from app.domain.errors import DomainError, NotFoundError
from app.events import EventBus
from app.mail import steps, store
from app.mail.events import NoticeMatched, NoticeUnmatched, TemplateDriftAlarm
from app.mail.ingest_records import (
    Incoming,
    IngestResult,
    aware,
    clean_text,
    needs_review,
    unmatched_reason,
)
from app.mail.matching import MATCHED, Candidate, NoticeFacts, decide_all
from app.mail.parser import (
    DEFAULT_MAX_BYTES,
    TRANSFER_ACCEPTED,
    TRANSFER_CANCELLED,
    TRANSFER_NOTICE,
    TRANSFER_REMINDER,
    UNRECOGNIZED,
    ParsedMessage,
    parse_message,
)
from app.mail.teach import TaughtTemplate
from app.mail.template_store import TemplateService
from app.services.base import Service
from app.urls import UntrustedLinkError, check_accept_url

log = logging.getLogger(__name__)
STALE_PENDING_SECONDS = 120.0
TAUGHT_TTL_S = 30.0
REVIEW_STATUSES = ("unmatched", "ambiguous")
FOLLOW_UP_KINDS = (TRANSFER_REMINDER, TRANSFER_CANCELLED, TRANSFER_ACCEPTED)
ACTOR = "mail ingest"


def trusted_accept_url(parsed: ParsedMessage, site_url: str | None) -> str | None:
    """The notice's accept link, only if it is on the transfer's account site.

    The browser opens this link in the signed-in portal session, so a link elsewhere (a
    tampered forward, a look-alike) could phish the account. The rule is the one every path
    applies (:func:`app.urls.check_accept_url`); an untrusted link is dropped and the runner
    finds the transfer in the account's pending list instead.
    """
    try:
        return check_accept_url(parsed.accept_url, site_url)
    except UntrustedLinkError as exc:
        log.warning("ignoring the accept link of notice %s: %s", parsed.message_key, exc)
        return None


def candidate_keys(parsed: ParsedMessage) -> store.CandidateKeys:
    """The keys the candidate query looks a notice's transfers up by."""
    return store.CandidateKeys(
        parsed.platform or "", parsed.sender_email, parsed.sender_name,
        [e.event_name for e in parsed.events if e.event_name], parsed.transfer_ref,
        parsed.to_addrs, [s for e in parsed.events for s in e.seats],
        [(e.section, e.row) for e in parsed.events],
    )


def notice_filename(parsed: ParsedMessage, transfer_id: int | None) -> str:
    """The evidence file name of a notice's raw email."""
    return f"notice-{parsed.transfer_ref or transfer_id or 'unmatched'}.eml"


class MailIngest(Service):
    """Record, classify and match messages of one or more mailboxes.

    Args:
        bind: engine (or session factory) of the TransferDesk database.
        bus: where NoticeMatched / NoticeUnmatched / TemplateDriftAlarm are published.
        max_parse_bytes: messages over this size are stored but not parsed.
        evidence_max_bytes: the evidence size limit (``settings.evidence_max_bytes``).
    """

    def __init__(
        self,
        bind: Engine,
        bus: EventBus | None = None,
        max_parse_bytes: int = DEFAULT_MAX_BYTES,
        evidence_max_bytes: int = 25 * 1024 * 1024,
        actor_name: str = ACTOR,
    ) -> None:
        super().__init__(bind, actor_name)
        self._engine = bind
        self.bus = bus or EventBus()
        self.max_parse_bytes = max_parse_bytes
        self.evidence_max_bytes = evidence_max_bytes
        self._taught: tuple[float, tuple[TaughtTemplate, ...]] | None = None

    def ingest(
        self,
        raw: bytes,
        mailbox: str,
        folder: str = "INBOX",
        uidvalidity: int | None = None,
        uid: int | None = None,
        received_at: datetime | None = None,
        size: int | None = None,
    ) -> IngestResult:
        """Process one message exactly once (see the module docstring).

        ``size`` is the real size when ``raw`` holds only the headers of a huge message.
        """
        item = Incoming(raw, mailbox, folder, uidvalidity, uid, received_at, size)
        return self.ingest_batch([item])[0]

    def ingest_batch(self, items: Sequence[Incoming]) -> list[IngestResult]:
        """Process several messages: rows written by one statement, then notices matched.

        When the database refuses the batch (one odd value), each message is retried on its
        own; one it still refuses is recorded as ``malformed`` with the error, so the batch and
        the mailbox position move on and nothing is lost.
        """
        taught = self.taught()
        parsed = [parse_message(i.raw, max_bytes=self.max_parse_bytes, size=i.size,
                                taught=taught) for i in items]
        with self.transaction() as session:
            pools = self.candidate_pools(session, parsed)
            rows = [self._row(item, message, pool)
                    for item, message, pool in zip(items, parsed, pools, strict=True)]
            for item, message, row in zip(items, parsed, rows, strict=True):
                if row["match_status"] == "unmatched":  # a notice, or one the desk can teach
                    row["evidence_id"] = self._email(session, item.raw, message, None)
            try:
                with session.begin_nested():
                    ids = store.claim_messages(session, rows, STALE_PENDING_SECONDS)
            except DBAPIError:
                ids = [self._claim_alone(session, row) for row in rows]
        results = []
        for item, message, pool, row, row_id in zip(items, parsed, pools, rows, ids, strict=True):
            status = str(row["match_status"])
            if row_id is None:
                results.append(IngestResult(None, "duplicate", message))
                continue
            if message.template_drift:
                self._raise_drift(message, item.mailbox)
            if status == "pending" and message.kind in FOLLOW_UP_KINDS:
                results.append(self._follow_up(row_id, message, item.raw))
                continue
            if status == "pending":
                received = aware(item.received_at or message.date)
                results.append(self._match(row_id, message, item.raw, received, pool))
                continue
            if message.kind == TRANSFER_NOTICE:
                self.bus.publish(NoticeUnmatched(row_id, status, "no candidate transfer", ()))
            results.append(IngestResult(row_id, status, message))
        return results

    @staticmethod
    def candidate_pools(
        session: Session, parsed: Sequence[ParsedMessage]
    ) -> list[list[Candidate]]:
        """Each message's candidate transfers, by one query for the batch (notices only)."""
        wanted = [i for i, p in enumerate(parsed)
                  if p.kind == TRANSFER_NOTICE and not needs_review(p)]
        found = store.candidate_pools(session, [candidate_keys(parsed[i]) for i in wanted])
        pools: list[list[Candidate]] = [[] for _ in parsed]
        for i, pool in zip(wanted, found, strict=True):
            pools[i] = pool
        return pools

    def _row(self, item: Incoming, parsed: ParsedMessage, pool: list[Candidate]) -> dict[str, Any]:
        """Column values; the status is final unless a match is possible (then ``pending``).

        A notice read with low confidence goes to staff (unmatched), never to a guess.
        """
        if parsed.kind in FOLLOW_UP_KINDS:
            status = "pending"
        elif parsed.kind == TRANSFER_NOTICE:
            status = "pending" if pool and not needs_review(parsed) else "unmatched"
        elif parsed.template_drift:
            status = "unmatched"  # looks like a notice nobody can read yet: staff teach it
        elif parsed.looks_like_notice and parsed.parse_error is None:
            status = "unmatched"  # reads like one from a sender no portal or taught school
            #                       uses (a school's own domain, or a look-alike): staff decide
        else:
            status = self._plain_status(parsed)
        return {
            "message_key": parsed.message_key, "mailbox": item.mailbox, "folder": item.folder,
            "uidvalidity": item.uidvalidity, "uid": item.uid,
            "from_addr": clean_text(parsed.from_addr[:500]),
            "subject": clean_text(parsed.subject[:1000]),
            "received_at": aware(item.received_at or parsed.date or datetime.now(UTC)),
            "size": parsed.size, "kind": parsed.kind, "parsed": clean_text(parsed.to_json()),
            "parse_error": parsed.parse_error, "match_status": status, "evidence_id": None,
        }

    @staticmethod
    def _claim_alone(session: Session, row: dict[str, Any]) -> int | None:
        try:
            with session.begin_nested():
                return store.claim_messages(session, [row], STALE_PENDING_SECONDS)[0]
        except DBAPIError as exc:
            log.warning("message %s could not be stored as parsed: %s", row["message_key"], exc)
            row.update(kind=UNRECOGNIZED, parsed={}, match_status="malformed",
                       parse_error=f"could not store the parse: {exc.orig}"[:500])
            with session.begin_nested():
                return store.claim_messages(session, [row], STALE_PENDING_SECONDS)[0]

    @staticmethod
    def _plain_status(parsed: ParsedMessage) -> str:
        if parsed.parse_error and "too large" in parsed.parse_error:
            return "oversized"
        if parsed.parse_error:
            return "malformed"
        return "ignored"

    def _raise_drift(self, parsed: ParsedMessage, mailbox: str) -> None:
        from app.services.ops import AlarmService

        what = "unrecognized" if parsed.kind == UNRECOGNIZED else f"{parsed.kind} missing"
        detail = ", ".join(parsed.missing) if parsed.missing else "no template matched"
        message = (
            f"{parsed.platform} email template changed? {what}: {detail} "
            f"(latest: {parsed.subject[:120]!r} from {parsed.from_addr})"
        )
        key = f"{parsed.platform}:{parsed.kind}"
        try:
            alarm = AlarmService(self._engine, self.actor_name).raise_alarm(
                "template_drift", key, message
            )
            count, alarm_id = alarm.count, alarm.id
        except DomainError:
            log.exception("could not record the template drift alarm %s", key)
            count, alarm_id = 1, None
        log.warning("template drift (%s, %d so far): %s", key, count, message)
        self.bus.publish(TemplateDriftAlarm(
            mailbox=mailbox, platform=parsed.platform or "", subject=parsed.subject,
            missing=parsed.missing, count=count, alarm_id=alarm_id,
        ))

    def _match(
        self, row_id: int, parsed: ParsedMessage, raw: bytes, received: datetime | None,
        pool: list[Candidate],
    ) -> IngestResult:
        """Match, store the email, move the transfers and finish the row: one transaction."""
        facts = [
            NoticeFacts(
                recipients=parsed.to_addrs, event_name=event.event_name,
                event_starts_at=event.event_starts_at, section=event.section, row=event.row,
                seats=event.seats, seller_name=parsed.sender_name,
                seller_email=parsed.sender_email, transfer_ref=parsed.transfer_ref,
            )
            for event in (parsed.events or ())
        ]
        decisions = decide_all(facts, pool)
        matched = [d.transfer_id for d in decisions
                   if d.status == MATCHED and d.transfer_id is not None]
        sites = {c.id: c.account_site_url for c in pool}
        with self.transaction() as session:
            moved: list[int] = []
            evidence_id: int | None = None
            for transfer_id in matched:
                accept_url = trusted_accept_url(parsed, sites.get(transfer_id))
                if steps.mark_notice_received(
                    session, transfer_id, parsed, accept_url, aware(parsed.expires_at),
                    received, row_id, self.actor_name,
                ):
                    moved.append(transfer_id)
                    stored = self._email(session, raw, parsed, transfer_id)
                    evidence_id = evidence_id or stored
            if moved:
                best = max(d.score or 0.0 for d in decisions if d.transfer_id in moved)
                store.finish_message(session, row_id, match_status=MATCHED, match_score=best,
                                     transfer_id=moved[0], evidence_id=evidence_id)
            else:
                status, reason, ranked, best_score = unmatched_reason(
                    decisions, "the transfer changed meanwhile" if matched else "")
                store.finish_message(session, row_id, match_status=status,
                                     match_score=best_score,
                                     evidence_id=self._email(session, raw, parsed, None))
        if not moved:
            self.bus.publish(NoticeUnmatched(row_id, status, reason, ranked))
            return IngestResult(row_id, status, parsed)
        for transfer_id in moved:
            self.bus.publish(NoticeMatched(row_id, transfer_id, best, parsed.message_key))
        return IngestResult(row_id, MATCHED, parsed, tuple(moved))

    def taught(self) -> tuple[TaughtTemplate, ...]:
        """Templates taught from the desk (re-read at most every ``TAUGHT_TTL_S``)."""
        now = time.monotonic()
        if self._taught is None or now - self._taught[0] > TAUGHT_TTL_S:
            try:
                self._taught = (now, TemplateService(self._engine, self.actor_name).enabled())
            except (DBAPIError, DomainError) as exc:
                log.warning("taught mail templates not loaded: %s", exc)
                return self._taught[1] if self._taught else ()
        return self._taught[1]

    def forget_taught(self) -> None:
        """Read the taught templates again on the next message (after a save)."""
        self._taught = None

    def reprocess(self, mail_message_id: int) -> IngestResult:
        """Parse a stored review-list message again (with the current templates) and match it.

        Raises:
            NotFoundError: no such message, or it has no stored email.
        """
        from app.evidence import EvidenceStore

        with self.transaction() as session:
            row = session.get(MailMessage, mail_message_id)
            if row is None or row.evidence_id is None:
                raise NotFoundError("stored mail message", mail_message_id)
            evidence_id, received = row.evidence_id, row.received_at
        _, raw = EvidenceStore(self._engine, self.actor_name).read(evidence_id)
        parsed = parse_message(raw, max_bytes=self.max_parse_bytes, taught=self.taught())
        with self.transaction() as session:
            (pool,) = self.candidate_pools(session, [parsed])
            status = "pending" if parsed.kind in FOLLOW_UP_KINDS or (
                parsed.kind == TRANSFER_NOTICE and pool and not needs_review(parsed)
            ) else "unmatched"
            claimed = session.execute(
                update(MailMessage).where(MailMessage.id == mail_message_id,
                                          MailMessage.match_status.in_(REVIEW_STATUSES))
                .values(kind=parsed.kind, parsed=clean_text(parsed.to_json()),
                        match_status=status).returning(MailMessage.id)
            ).scalar_one_or_none()
        if claimed is None or status != "pending":
            return IngestResult(mail_message_id, status if claimed else "unchanged", parsed)
        if parsed.kind in FOLLOW_UP_KINDS:
            return self._follow_up(mail_message_id, parsed, raw)
        return self._match(mail_message_id, parsed, raw, received, pool)

    def _follow_up(self, row_id: int, parsed: ParsedMessage, raw: bytes) -> IngestResult:
        """A reminder, confirmation or cancellation: attach it to its transfer (never a second
        notice); a cancellation also sends the transfer to needs_review. One transaction."""
        with self.transaction() as session:
            transfer_id = steps.known_transfer(session, parsed)
            if transfer_id is None:
                store.finish_message(session, row_id, match_status="unmatched",
                                     evidence_id=self._email(session, raw, parsed, None))
                status = "unmatched"
            else:
                evidence_id = self._email(session, raw, parsed, transfer_id)
                if parsed.kind == TRANSFER_CANCELLED:
                    steps.cancel_to_review(session, transfer_id, evidence_id, row_id,
                                           self.actor_name)
                store.finish_message(session, row_id, match_status=MATCHED,
                                     transfer_id=transfer_id, evidence_id=evidence_id)
                status = MATCHED
        if status != MATCHED:
            self.bus.publish(NoticeUnmatched(row_id, status, f"no transfer for this "
                                             f"{parsed.kind.replace('_', ' ')}", ()))
            return IngestResult(row_id, status, parsed)
        assert transfer_id is not None
        self.bus.publish(NoticeMatched(row_id, transfer_id, 0.0, parsed.message_key))
        return IngestResult(row_id, MATCHED, parsed, (transfer_id,))

    def _email(
        self, session: Session, raw: bytes, parsed: ParsedMessage, transfer_id: int | None
    ) -> int | None:
        return steps.store_email(session, raw, notice_filename(parsed, transfer_id),
                                 transfer_id, self.evidence_max_bytes, self.actor_name)


__all__ = ["Incoming", "IngestResult", "MailIngest", "notice_filename", "trusted_accept_url"]
