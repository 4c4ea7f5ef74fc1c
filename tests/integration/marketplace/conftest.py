"""Helpers for the marketplace-boundary tests: the intake service and inbox inserts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.domain.states import Role
from app.intake.service import IntakeService

SOON = datetime.now(UTC) + timedelta(days=5)


@pytest.fixture
def intake(engine: Engine) -> IntakeService:
    """The intake service acting as transferdesk_staff."""
    return IntakeService(engine, "Order inbox", role=Role.STAFF)


def order(ref: str, **fields: Any) -> dict[str, Any]:
    """A valid order's fields (overridable)."""
    return {"order_ref": ref, "event_name": "Aggies vs. LSU - Football", "seats": ["12", "13"],
            "seller_name": "Maria Garcia", "seller_email": "maria@example.com",
            "event_starts_at": SOON, "currency": "usd", **fields}


@pytest.fixture
def post_inbox(engine: Engine) -> Callable[..., int]:
    """Insert one inbox row as the marketplace (role transferdesk_intake); its id."""

    def post(**fields: Any) -> int:
        cols = ", ".join(fields)
        params = ", ".join(f":{k}" for k in fields)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL ROLE transferdesk_intake"))
            return int(conn.execute(text(
                f"INSERT INTO order_inbox ({cols}) VALUES ({params}) RETURNING id"), fields
            ).scalar_one())

    return post


def inbox_row(engine: Engine, row_id: int) -> Any:
    """One inbox row as TransferDesk answered it."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM order_inbox WHERE id = :i"), {"i": row_id}).one()


from tests.integration.domain.conftest import (  # noqa: E402,F401  (shared fixtures)
    PNG,
    bot_claims,
    make_transfer,
    staff,
    supervisor,
)
