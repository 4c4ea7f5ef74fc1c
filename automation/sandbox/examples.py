"""A ready-made example transfer for the sandbox (screenshots and tests share it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def example_transfer(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``SandboxPortal.create_transfer``: two football seats."""
    details: dict[str, Any] = {
        "sender_name": "Jane Doe",
        "sender_email": "jane.doe@example.com",
        "event_name": "Football vs. Rival State",
        "event_starts_at": datetime(2026, 11, 28, 19, 30, tzinfo=UTC),
        "venue": "Memorial Stadium",
        "section": "104",
        "row": "F",
        "seats": ("5", "6"),
    }
    details.update(overrides)
    return details
