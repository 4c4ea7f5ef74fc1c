"""The assisted lane's service: who is in it, by deadline; a lease keeps two desks apart; the
pasted screenshot verifies the transfer through the manual-decision service."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Evidence, Transfer
from app.domain.errors import DomainError, EvidenceError
from app.domain.records import TransferFull
from app.domain.states import Role
from app.repositories import breakers
from app.services.assisted import AssistedLaneService
from app.services.breakers import BreakerService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import NOW, PNG


def test_the_lane_by_deadline_with_leases_and_a_pasted_screenshot(
        engine: Any, staff: TransferService, make_transfer: Callable[..., TransferFull]) -> None:
    owner = TransferService(engine, "setup")  # accounts are the owner's/supervisor's to add
    assisted = owner.add_account("paciolan", "https://assisted.example", "a@market.test")
    blocked = owner.add_account("paciolan", "https://blocked.example", "b@market.test")
    normal = owner.add_account("paciolan", "https://normal.example", "n@market.test")
    BreakerService(engine, "Sue").set_automation_mode(assisted.id, "assisted")
    with Session(engine) as session, session.begin():
        breakers.record_block(session, blocked.site_url, breakers.BreakerPolicy(blocks=1), "")
    later = make_transfer(notice=True, account_id=assisted.id, accept_by=NOW + timedelta(days=2))
    sooner = make_transfer(notice=True, account_id=blocked.id, accept_by=NOW + timedelta(hours=5))
    make_transfer(notice=True, account_id=normal.id, accept_by=NOW + timedelta(hours=1))

    ann = AssistedLaneService(engine, "Ann", Role.STAFF)
    bob = AssistedLaneService(engine, "Bob", Role.STAFF)
    assert [t.row.id for t in ann.queue("ann")] == [sooner.row.id, later.row.id]
    taken = ann.take_next("ann")
    assert taken is not None and taken.row.id == sooner.row.id
    assert taken.accept_url == "https://portal.example/accept?t=abc"
    assert [t.row.id for t in bob.queue("bob")] == [later.row.id], "Ann's is not offered"
    other = bob.take_next("bob")
    assert other is not None and other.row.id == later.row.id
    assert ann.take_next("ann") is not None and ann.take_next("ann").row.id == sooner.row.id

    with pytest.raises(DomainError, match="Ann|ann"):
        bob.verify(sooner.row.id, "bob", sooner.row.version, PNG)
    with pytest.raises(DomainError, match="screenshot"):
        ann.verify(sooner.row.id, "ann", sooner.row.version, b"")
    with pytest.raises(EvidenceError):
        ann.verify(sooner.row.id, "ann", sooner.row.version, b"not an image")
    done = ann.verify(sooner.row.id, "ann", sooner.row.version, PNG)
    assert done.row.status.value == "verified"
    with engine.connect() as conn:
        shot = conn.execute(select(Evidence.kind, Evidence.sha256).where(
            Evidence.transfer_id == sooner.row.id)).one()
        row = conn.execute(select(Transfer.status, Transfer.method, Transfer.verified_by)
                           .where(Transfer.id == sooner.row.id)).one()
    assert shot.kind == "screenshot" and shot.sha256 == hashlib.sha256(PNG).hexdigest()
    assert tuple(row) == ("verified", "manual", "Ann")
    assert [t.row.id for t in ann.queue("ann")] == [], "Bob still holds the other one"
    bob.release(later.row.id, "bob")
    assert [t.row.id for t in ann.queue("ann")] == [later.row.id]
