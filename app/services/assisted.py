"""The assisted acceptance lane: transfers a person accepts in their own browser.

In the lane: a transfer that ended ``blocked`` (or an uncleared ``bot_challenge``) and waits
for review, and a waiting transfer of an ``assisted`` account or of a paused (blocked) site;
the earliest deadline first. A desk takes one with a lease (``lane_claims``) so two people never
work the same transfer; the person opens the accept link in their own default browser (never
the automated one: TransferDesk does not evade bot detection), accepts, and records the manual
decision with a screenshot of My Account (stored, hashed and checked like any upload, by
:meth:`~app.services.transfers.TransferService.manual_verify`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.db.models import PortalAccount, Transfer
from app.db.models_breakers import LaneClaim, SiteBreaker
from app.domain.errors import DomainError
from app.domain.records import TransferFull
from app.evidence import Upload
from app.repositories import mapping
from app.services.base import Service
from app.services.transfers import TransferService

LANE_OUTCOMES = ("blocked", "bot_challenge")
LANE_NOTE = "accepted by hand in the staff member's own browser (assisted lane)"


def _lane(desk: str) -> Select[Any]:
    needs_person = or_(
        and_(Transfer.status == "needs_review", Transfer.last_outcome.in_(LANE_OUTCOMES)),
        and_(Transfer.status == "notice_received",
             or_(PortalAccount.automation_mode == "assisted",
                 SiteBreaker.open_until > func.now())),
    )
    taken = exists().where(LaneClaim.transfer_id == Transfer.id, LaneClaim.desk != desk,
                           LaneClaim.lease_until > func.now())
    return (select(Transfer)
            .join(PortalAccount, PortalAccount.id == Transfer.account_id)
            .outerjoin(SiteBreaker, SiteBreaker.site_url == PortalAccount.site_url)
            .where(needs_person, ~taken)
            .order_by(Transfer.due_at, Transfer.id))


class AssistedLaneService(Service):
    """List, take and verify the lane's transfers (staff)."""

    lease = timedelta(minutes=15)

    def queue(self, desk: str, limit: int = 200) -> list[TransferFull]:
        """The lane as ``desk`` sees it (others' claimed transfers left out), by deadline."""
        with self.transaction() as session:
            return [mapping.transfer_full(t)
                    for t in session.scalars(_lane(desk).limit(limit))]

    def take_next(self, desk: str) -> TransferFull | None:
        """Claim the lane's most urgent transfer for ``desk`` (its own claim first), or None."""
        with self.transaction() as session:
            stmt = _lane(desk).limit(1).with_for_update(of=Transfer, skip_locked=True)
            transfer = session.scalars(stmt).one_or_none()
            if transfer is None:
                return None
            claim = pg_insert(LaneClaim).values(transfer_id=transfer.id, desk=desk,
                                               lease_until=func.now() + self.lease)
            session.execute(claim.on_conflict_do_update(
                index_elements=[LaneClaim.transfer_id],
                set_={"desk": desk, "claimed_at": func.now(),
                      "lease_until": func.now() + self.lease},
                where=or_(LaneClaim.desk == desk, LaneClaim.lease_until <= func.now())))
            return mapping.transfer_full(transfer)

    def release(self, transfer_id: int, desk: str) -> None:
        """Give the transfer back to the lane."""
        with self.transaction() as session:
            session.execute(delete(LaneClaim).where(LaneClaim.transfer_id == transfer_id,
                                                    LaneClaim.desk == desk))

    def verify(self, transfer_id: int, desk: str, expected_version: int, screenshot: bytes,
               filename: str = "my-account.png") -> TransferFull:
        """Record the person's acceptance with the pasted screenshot as evidence.

        Raises:
            DomainError: another desk holds the transfer, or no screenshot.
            EvidenceError: the image is not an allowed, well-formed upload.
            StaleVersionError / IllegalTransitionError: the transfer changed meanwhile.
        """
        if not screenshot:
            raise DomainError("paste a screenshot of My Account first (Ctrl+V)")
        with self.transaction() as session:
            holder = session.scalar(select(LaneClaim.desk).where(
                LaneClaim.transfer_id == transfer_id, LaneClaim.lease_until > func.now()))
        if holder is not None and holder != desk:
            raise DomainError(f"{holder} is working this transfer in the assisted lane")
        transfers = TransferService(self._sessions, self.actor_name, self.role)
        done = transfers.manual_verify(transfer_id, expected_version, LANE_NOTE,
                                       uploads=[Upload(filename, screenshot, "screenshot")])
        self.release(transfer_id, desk)  # a leftover claim would only expire: verified is final
        return done
