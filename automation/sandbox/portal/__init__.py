"""A local Paciolan-like ticket portal for the demo and the tests (aiohttp, 127.0.0.1 only)."""

from automation.sandbox.portal.server import PortalStartError, SandboxPortal
from automation.sandbox.portal.state import (
    Faults,
    PortalState,
    PortalStateError,
    Ticket,
    Transfer,
    TransferState,
)

__all__ = [
    "Faults",
    "PortalStartError",
    "PortalState",
    "PortalStateError",
    "SandboxPortal",
    "Ticket",
    "Transfer",
    "TransferState",
]
