"""Transfer lifecycle for people: create, notice received, manual decisions, reopen, expire."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app import evidence as evidence_store
from app.domain.accounts import check_site_url, check_username
from app.domain.errors import DomainError, NotFoundError, UnknownValueError
from app.domain.records import ImportReport, NewTransfer, PortalAccountInfo, TransferFull
from app.domain.states import TAKEOVER_OUTCOMES, Action, EscrowStatus, Role, Status
from app.evidence import DEFAULT_MAX_BYTES, Upload
from app.repositories import accounts as account_repo
from app.repositories import claims as claim_repo
from app.repositories import mapping, records
from app.repositories import transfers as repo
from app.services import transitions
from app.services.base import Service
from app.services.csv_import import parse_csv

_WAITING = (Status.AWAITING_NOTICE, Status.NOTICE_RECEIVED, Status.NEEDS_REVIEW)


class TransferService(Service):
    """Create and decide transfers. See docs/domain.md for the state machine.

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        evidence_max_bytes: size limit for uploads attached to decisions.
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
        evidence_max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(bind, actor_name, role)
        self.evidence_max_bytes = evidence_max_bytes

    # -- creation ----------------------------------------------------------------------------

    def create(self, new: NewTransfer) -> TransferFull:
        """Record one expected transfer (status awaiting_notice).

        Raises:
            DomainError: missing fields, unknown account or a duplicate order reference.
        """
        values = _values(new)
        with self.transaction() as session:
            _check_account(session, new.account_id)
            if repo.existing_order_refs(session, [new.order_ref]):
                raise DomainError(f"order {new.order_ref!r} already has a transfer")
            transfer = repo.insert_one(session, values)
            repo.add_audit(session, action=Action.CREATE.value, actor_name=self.actor_name,
                           transfer_id=transfer.id, to_status=transfer.status)
            return mapping.transfer_full(transfer)

    def import_csv(self, text: str) -> ImportReport:
        """Import expected transfers from CSV, all or nothing.

        Raises:
            ImportFailedError: with ``(line, message)`` for every bad row; nothing written.
        """
        rows = parse_csv(text)  # raises on malformed rows before touching the database
        with self.transaction() as session:
            rows.check_against(session)
            ids = repo.insert_many(session, [_values(r) for _, r in rows.items])
            repo.add_audit_many(session, [
                {"action": Action.CREATE.value, "actor_name": self.actor_name,
                 "transfer_id": i, "to_status": Status.AWAITING_NOTICE.value,
                 "detail": {"import_line": line}}
                for i, (line, _) in zip(ids, rows.items, strict=True)
            ])
            return ImportReport(created=len(ids), transfer_ids=tuple(ids))

    def add_account(self, platform: str, site_url: str, username: str, label: str = "",
                    profile: str | None = None,
                    before_commit: Callable[[PortalAccountInfo], None] | None = None,
                    ) -> PortalAccountInfo:
        """Add a portal account (supervisors; its password goes to the keyring separately);
        ``profile``: its selector profile (None: detected at the first sign-in);
        ``before_commit``: called with the new account inside the transaction (the desk stores
        its password there): when it raises, the account is not added.

        Raises:
            DomainError: a bad site URL or username (:mod:`app.domain.accounts`), or the same
                account is already registered.
        """
        site_url, username = check_site_url(site_url), check_username(username)
        with self.transaction() as session:
            if (same := repo.find_account(session, platform, site_url, username)) is not None:
                raise DomainError(f"portal account {username!r} on {site_url} already exists "
                                  f"(#{same})")
            try:
                row = repo.insert_account(session, {"platform": platform, "site_url": site_url,
                                                    "username": username, "label": label,
                                                    "profile": profile})
            except IntegrityError as exc:
                raise DomainError(f"cannot add portal account {username!r}: {exc.orig}") from exc
            info = mapping.account_info(row)
            if before_commit is not None:
                before_commit(info)
            return info

    # -- notices and decisions ---------------------------------------------------------------

    def mark_notice_received(
        self,
        transfer_id: int,
        *,
        accept_url: str | None,
        transfer_ref: str | None,
        accept_by: datetime | None,
        received_at: datetime | None = None,
        mail_message_id: int | None = None,
    ) -> TransferFull:
        """The portal's transfer notice arrived (the mail matcher calls this)."""
        with self.transaction() as session:
            return apply_notice_received(
                session, transfer_id, self.actor_name, accept_url=accept_url,
                transfer_ref=transfer_ref, accept_by=accept_by, received_at=received_at,
                mail_message_id=mail_message_id,
            )

    def manual_verify(self, transfer_id: int, expected_version: int, note: str,
                      evidence_ids: Sequence[int] = (), uploads: Sequence[Upload] = ()
                      ) -> TransferFull:
        """Verify by hand, with evidence (staff).

        Raises:
            DomainError: no evidence or no note; StaleVersionError; IllegalTransitionError;
            PermissionDeniedError; EvidenceError (uploads; then nothing is written).
        """
        return self._decide(transfer_id, expected_version, note, evidence_ids, uploads,
                            Action.MANUAL_VERIFY, Status.VERIFIED)

    def manual_reject(self, transfer_id: int, expected_version: int, note: str,
                      evidence_ids: Sequence[int] = (), uploads: Sequence[Upload] = ()
                      ) -> TransferFull:
        """Reject by hand, with evidence (staff). Raises as :meth:`manual_verify`."""
        return self._decide(transfer_id, expected_version, note, evidence_ids, uploads,
                            Action.MANUAL_REJECT, Status.REJECTED)

    def _decide(self, transfer_id: int, expected_version: int, note: str,
                evidence_ids: Sequence[int], uploads: Sequence[Upload], action: Action,
                target: Status) -> TransferFull:
        if not note.strip():
            raise DomainError("a manual decision needs a note saying why")
        if not evidence_ids and not uploads:
            raise DomainError("a manual decision needs at least one piece of evidence")
        for upload in uploads:  # validate everything before writing anything
            evidence_store.validate(upload.kind, upload.filename, upload.content,
                                    self.evidence_max_bytes)
        with self.transaction() as session:
            transitions.require_role(session, Role.STAFF, "make manual decisions")
            transfer = repo.get_checked(session, transfer_id, expected_version)
            _check_evidence(session, transfer_id, evidence_ids)
            stored = [evidence_store.store(session, u, self.evidence_max_bytes,
                                           self.actor_name, transfer_id).id for u in uploads]
            _close_open_run(session, transfer.id, f"superseded by {action.value}")
            values: dict[str, Any] = {**claim_repo.unclaim_values(), "decision_note": note.strip()}
            if target is Status.VERIFIED:
                values.update(verified_at=func.now(), method="manual",
                              verified_by=self.actor_name or func.session_user())
            detail = {"note": note.strip(), "evidence_ids": [*evidence_ids, *stored]}
            updated = transitions.apply(session, transfer, action, target, values,
                                        self.actor_name, detail)
            return mapping.transfer_full(updated)

    def reopen(self, transfer_id: int, expected_version: int, note: str) -> TransferFull:
        """Put a decided, expired or needs-review transfer back in the queue (supervisor)."""
        with self.transaction() as session:
            transitions.require_role(session, Role.SUPERVISOR, "reopen transfers")
            transfer = repo.get_checked(session, transfer_id, expected_version)
            if transfer.escrow_status in (EscrowStatus.CAPTURED, EscrowStatus.CAPTURE_PENDING):
                raise DomainError(
                    f"transfer {transfer.order_ref} cannot be reopened: the buyer's payment was "
                    "already captured"
                )
            target = (Status.NOTICE_RECEIVED if transfer.notice_received_at
                      else Status.AWAITING_NOTICE)
            values = {**claim_repo.unclaim_values(), "verified_at": None, "verified_by": None,
                      "method": None, "attempts": 0, "next_attempt_at": None}
            updated = transitions.apply(session, transfer, Action.REOPEN, target, values,
                                        self.actor_name, {"note": note})
            return mapping.transfer_full(updated)

    def reassign(self, transfer_id: int, expected_version: int, account_id: int,
                 note: str = "") -> TransferFull:
        """Move a waiting transfer to another portal account (supervisor)."""
        with self.transaction() as session:
            transitions.require_role(session, Role.SUPERVISOR, "reassign transfers")
            _check_account(session, account_id)
            transfer = repo.get_checked(session, transfer_id, expected_version)
            detail = {"note": note, "from_account": transfer.account_id, "to_account": account_id}
            updated = transitions.apply(session, transfer, Action.REASSIGN,
                                        Status(transfer.status), {"account_id": account_id},
                                        self.actor_name, detail)
            return mapping.transfer_full(updated)

    def record_takeover(self, transfer_id: int, started_at: datetime, ended_at: datetime,
                        outcome: str) -> int:
        """Audit a person's takeover of a run's browser (who, when, how long); no state change.

        Args:
            transfer_id: the transfer whose run was taken over.
            started_at: when the person opened the browser (timezone-aware).
            ended_at: when they handed back or gave up (timezone-aware, not before start).
            outcome: ``"handed_back"`` or ``"gave_up"``.

        Returns:
            The takeover's length in whole seconds.

        Raises:
            UnknownValueError: an outcome outside :data:`TAKEOVER_OUTCOMES`.
            DomainError: naive or reversed times. NotFoundError: no such transfer.
        """
        if outcome not in TAKEOVER_OUTCOMES:
            raise UnknownValueError("takeover outcome", outcome, TAKEOVER_OUTCOMES)
        if started_at.tzinfo is None or ended_at.tzinfo is None:
            raise DomainError("takeover times need a timezone")
        if ended_at < started_at:
            raise DomainError("a takeover cannot end before it started")
        seconds = round((ended_at - started_at).total_seconds())
        with self.transaction() as session:
            transfer = repo.get_checked(session, transfer_id, None, lock=False)
            detail = {"who": self.actor_name, "started_at": started_at.isoformat(),
                      "ended_at": ended_at.isoformat(), "seconds": seconds, "outcome": outcome}
            repo.add_audit(session, action=Action.TAKEOVER.value, actor_name=self.actor_name,
                           transfer_id=transfer.id, from_status=transfer.status,
                           to_status=transfer.status, detail=detail)
        return seconds

    def expire_overdue(self, now: datetime | None = None) -> list[int]:
        """Expire every waiting transfer whose accept window or hold has lapsed; their ids."""
        moment = now or datetime.now(UTC)
        with self.transaction() as session:
            return expire_overdue_in(session, moment, self.actor_name)


def expire_overdue_in(session: Session, moment: datetime, actor_name: str) -> list[int]:
    """:meth:`TransferService.expire_overdue` inside the caller's transaction (the sweeper)."""
    expired = repo.expire_overdue(session, moment, _WAITING)
    repo.add_audit_many(session, [
        {"action": Action.EXPIRE.value, "actor_name": actor_name, "transfer_id": i,
         "from_status": before, "to_status": Status.EXPIRED.value,
         "detail": {"as_of": moment.isoformat()}}
        for i, before in expired
    ])
    return [i for i, _ in expired]


def _values(new: NewTransfer) -> dict[str, Any]:
    if not new.order_ref.strip():
        raise DomainError("a transfer needs an order reference")
    if not new.event_name.strip():
        raise DomainError(f"order {new.order_ref}: a transfer needs an event name")
    values = asdict(new)
    values["seats"] = list(new.seats)
    values["quantity"] = new.quantity or max(1, len(new.seats))
    if new.quantity is not None and new.quantity <= 0:
        raise DomainError(f"order {new.order_ref}: quantity must be positive")
    values["escrow_status"] = EscrowStatus(new.escrow_status).value
    return values


def _check_account(session: Session, account_id: int | None) -> None:
    if account_id is not None:
        account_repo.usable_account(session, account_id)  # exists and is not retired


def _check_evidence(session: Session, transfer_id: int, ids: Sequence[int]) -> None:
    rows = {e.id: e for e in records.evidence_by_ids(session, ids)}
    for evidence_id in ids:
        row = rows.get(evidence_id)
        if row is None:
            raise NotFoundError("evidence", evidence_id)
        if row.transfer_id != transfer_id:
            raise DomainError(f"evidence {evidence_id} belongs to another transfer")


def _close_open_run(session: Session, transfer_id: int, detail: str) -> None:
    run = claim_repo.open_run_for(session, transfer_id)
    if run is not None:
        claim_repo.finish_run(session, run.id, "aborted", detail)


def apply_notice_received(
    session: Session,
    transfer_id: int,
    actor_name: str,
    *,
    accept_url: str | None,
    transfer_ref: str | None,
    accept_by: datetime | None,
    received_at: datetime | None = None,
    mail_message_id: int | None = None,
) -> TransferFull:
    """:meth:`TransferService.mark_notice_received` inside the caller's transaction."""
    transfer = repo.get_checked(session, transfer_id, None)
    values: dict[str, Any] = {
        "accept_url": accept_url,
        "transfer_ref": transfer_ref,
        "notice_received_at": received_at or func.now(),
        "next_attempt_at": None,
    }
    if accept_by is not None:
        values["accept_by"] = accept_by
    detail = {"mail_message_id": mail_message_id, "transfer_ref": transfer_ref}
    updated = transitions.apply(session, transfer, Action.NOTICE_MATCHED,
                                Status.NOTICE_RECEIVED, values, actor_name, detail)
    return mapping.transfer_full(updated)
