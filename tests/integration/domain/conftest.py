"""Helpers for the domain tests: services bound to the fresh test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from app.domain.records import NewTransfer, TransferFull
from app.domain.states import Role
from app.evidence import EvidenceStore
from app.services.claims import ClaimService
from app.services.queue import QueueService
from app.services.transfers import TransferService

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOW = datetime.now(UTC)


@pytest.fixture
def staff(engine: Engine) -> TransferService:
    """Transfer service acting as transferdesk_staff."""
    return TransferService(engine, "Dana (desk 3)", role=Role.STAFF)


@pytest.fixture
def supervisor(engine: Engine) -> TransferService:
    """Transfer service acting as transferdesk_supervisor."""
    return TransferService(engine, "Sam (supervisor)", role=Role.SUPERVISOR)


@pytest.fixture
def bot_claims(engine: Engine) -> ClaimService:
    """Claim service acting as transferdesk_bot (max 3 attempts)."""
    return ClaimService(engine, role=Role.BOT, max_attempts=3)


@pytest.fixture
def queue(engine: Engine) -> QueueService:
    """Queue reads as staff."""
    return QueueService(engine, role=Role.STAFF)


@pytest.fixture
def evidence(engine: Engine) -> EvidenceStore:
    """Evidence store as staff, with a 1 KiB limit so limits are cheap to test."""
    return EvidenceStore(engine, "Dana (desk 3)", role=Role.STAFF, max_bytes=1024)


_refs = iter(range(1, 1_000_000))


@pytest.fixture
def make_transfer(staff: TransferService) -> Callable[..., TransferFull]:
    """Create a transfer, optionally with its notice already received."""

    def make(notice: bool = False, **fields: Any) -> TransferFull:
        values: dict[str, Any] = {
            "order_ref": f"ORD-{next(_refs):06d}",
            "event_name": "Aggies vs. LSU - Football",
            "seller_name": "Maria Garcia",
            "seller_email": "maria@example.com",
            "seats": ("12", "13"),
            "accept_by": NOW + timedelta(days=3),
            **fields,
        }
        created = staff.create(NewTransfer(**values))
        if notice:
            created = staff.mark_notice_received(
                created.row.id, accept_url="https://portal.example/accept?t=abc",
                transfer_ref="abc", accept_by=None)
        return created

    return make
