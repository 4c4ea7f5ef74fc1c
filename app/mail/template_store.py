"""Taught mail templates in the database: save (versioned, audited), list, disable, export,
import, preview against stored notices, and re-run the review backlog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Evidence, MailMessage
from app.db.models_mail import MailTemplate
from app.domain.errors import NotFoundError
from app.mail.parser import TRANSFER_NOTICE, ParsedMessage, parse_message
from app.mail.teach import TaughtTemplate, TemplateError, sender_domain, validate_rules
from app.repositories import transfers as repo
from app.services.base import Service

REVIEW_STATUSES = ("unmatched", "ambiguous")
PREVIEW_LIMIT = 500
COMPARED = ("event_name", "event_starts_at", "venue", "section", "row", "seats", "sender_name",
            "transfer_ref", "quantity", "expires_at")


@dataclass(frozen=True)
class TemplateInfo:
    """One stored template version."""

    id: int
    domain: str
    version: int
    platform: str
    rules: dict[str, str]
    note: str
    enabled: bool
    created_by: str
    created_by_name: str
    created_at: datetime


@dataclass(frozen=True)
class Preview:
    """What a template would do to the stored notices of its domain."""

    stored: int  # stored notices from the domain (with their raw email)
    readable_before: int  # complete and confident without the template
    readable_after: int  # ... with it
    changes: tuple[tuple[int, str, str, str], ...]  # (message id, field, before, after)


@dataclass(frozen=True)
class SampleNotice:
    """A stored notice as the desk shows it for teaching."""

    mail_message_id: int
    domain: str
    subject: str
    from_addr: str
    html: str | None
    text: str


def _info(row: MailTemplate) -> TemplateInfo:
    return TemplateInfo(
        id=row.id, domain=row.domain, version=row.version, platform=row.platform,
        rules=dict(row.rules), note=row.note, enabled=row.enabled, created_by=row.created_by,
        created_by_name=row.created_by_name, created_at=row.created_at,
    )


def readable(parsed: ParsedMessage) -> bool:
    """A notice the matcher can act on: every required field, none of low confidence."""
    return parsed.kind == TRANSFER_NOTICE and not parsed.missing and not parsed.low_confidence


def _from_domain(domain: str) -> Any:
    return or_(func.lower(MailMessage.from_addr).like(f"%@{domain}"),
               func.lower(MailMessage.from_addr).like(f"%.{domain}"))


class TemplateService(Service):
    """Templates taught from the desk, shared by every desk and worker."""

    def versions(self) -> list[TemplateInfo]:
        """Every stored version, newest first per domain."""
        with self.transaction() as session:
            rows = session.scalars(select(MailTemplate).order_by(
                MailTemplate.domain, MailTemplate.version.desc())).all()
            return [_info(r) for r in rows]

    def enabled(self) -> tuple[TaughtTemplate, ...]:
        """The newest enabled version of each domain (what the parser uses)."""
        latest: dict[str, TaughtTemplate] = {}
        for info in self.versions():
            if info.enabled and info.domain not in latest:
                latest[info.domain] = TaughtTemplate(info.domain, info.platform, info.rules,
                                                     info.version)
        return tuple(latest.values())

    def sample(self, mail_message_id: int) -> SampleNotice:
        """A stored notice's raw email, as the desk renders it (HTML when it has some)."""
        from app.mail import mime

        raw, row = self._raw(mail_message_id)
        _, content = mime.read_message(raw)
        html = "\n".join(content.html_source) or None
        domain = sender_domain(row.from_addr)
        return SampleNotice(mail_message_id, domain, row.subject, row.from_addr, html,
                            content.text())

    def preview(self, template: TaughtTemplate) -> Preview:
        """How many stored notices of the domain the template reads, and what it changes."""
        stored = before = after = 0
        changes: list[tuple[int, str, str, str]] = []
        others = tuple(t for t in self.enabled() if t.domain != template.domain)
        for row_id, raw in self._stored(template.domain):
            old = parse_message(raw, taught=others)
            new = parse_message(raw, taught=(*others, template))
            stored += 1
            before += readable(old)
            after += readable(new)
            for name in COMPARED:
                was, now = getattr(old, name), getattr(new, name)
                if was != now:
                    changes.append((row_id, name, _text(was), _text(now)))
        return Preview(stored, before, after, tuple(changes))

    def save(self, template: TaughtTemplate, note: str = "") -> TemplateInfo:
        """Store the template as its domain's next version (audited).

        Raises:
            TemplateError: the rules are not valid.
        """
        rules = validate_rules(dict(template.rules))
        with self.transaction() as session:
            session.execute(select(func.pg_advisory_xact_lock(
                func.hashtext("mail_templates:" + template.domain))))
            version = (session.scalar(select(func.max(MailTemplate.version))
                                      .where(MailTemplate.domain == template.domain)) or 0) + 1
            row = MailTemplate(domain=template.domain, version=version,
                               platform=template.platform, rules=rules, note=note[:500],
                               created_by_name=self.actor_name)
            session.add(row)
            session.flush()
            repo.add_audit(session, action="mail_template_saved", actor_name=self.actor_name,
                           detail={"domain": template.domain, "version": version,
                                   "fields": sorted(rules), "template_id": row.id})
            session.refresh(row)
            return _info(row)

    def set_enabled(self, template_id: int, enabled: bool) -> TemplateInfo:
        """Disable (or enable again) one version (audited).

        Raises:
            NotFoundError: no such template.
        """
        with self.transaction() as session:
            row = session.get(MailTemplate, template_id, with_for_update=True)
            if row is None:
                raise NotFoundError("mail template", template_id)
            session.execute(update(MailTemplate).where(MailTemplate.id == template_id)
                            .values(enabled=enabled))
            repo.add_audit(session, action="mail_template_enabled" if enabled
                           else "mail_template_disabled", actor_name=self.actor_name,
                           detail={"domain": row.domain, "version": row.version,
                                   "template_id": template_id})
            session.refresh(row)
            return _info(row)

    def import_templates(self, items: Sequence[object]) -> list[TemplateInfo]:
        """Save exported templates (each as its domain's next version).

        Raises:
            TemplateError: an item is not a template.
        """
        parsed = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("domain"), str) \
                    or not item["domain"].strip():
                raise TemplateError(f"template {index + 1}: needs a domain and rules")
            try:
                rules = validate_rules(item.get("rules"))
            except TemplateError as exc:
                raise TemplateError(f"template {index + 1} ({item['domain']}): {exc}") from exc
            parsed.append(TaughtTemplate(item["domain"].strip().lower(),
                                         str(item.get("platform", "paciolan")), rules))
        return [self.save(t, "imported") for t in parsed]

    def backlog(self, domain: str) -> list[int]:
        """Review-list messages of ``domain`` (unmatched, ambiguous, unparsed) to re-run."""
        with self.transaction() as session:
            return list(session.scalars(
                select(MailMessage.id).where(
                    _from_domain(domain), MailMessage.evidence_id.is_not(None),
                    MailMessage.match_status.in_(REVIEW_STATUSES),
                ).order_by(MailMessage.id)
            ).all())

    def _stored(self, domain: str) -> list[tuple[int, bytes]]:
        with self.transaction() as session:
            rows = session.execute(
                select(MailMessage.id, Evidence.content)
                .join(Evidence, Evidence.id == MailMessage.evidence_id)
                .where(_from_domain(domain))
                .order_by(MailMessage.id.desc()).limit(PREVIEW_LIMIT)
            ).all()
            return [(int(r[0]), bytes(r[1])) for r in rows if r[1] is not None]

    def _raw(self, mail_message_id: int) -> tuple[bytes, MailMessage]:
        from app.evidence import EvidenceStore

        with self.transaction() as session:
            row = _message(session, mail_message_id)
        if row.evidence_id is None:
            raise TemplateError(f"mail message {mail_message_id} has no stored email to teach "
                                "from")
        _, raw = EvidenceStore(self._sessions, self.actor_name, self.role).read(row.evidence_id)
        return raw, row


def _message(session: Session, mail_message_id: int) -> MailMessage:
    row = session.get(MailMessage, mail_message_id)
    if row is None:
        raise NotFoundError("mail message", mail_message_id)
    return row


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
