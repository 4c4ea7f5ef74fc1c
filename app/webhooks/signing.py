"""Webhook signatures, Stripe-like: ``TransferDesk-Signature: t=<unix time>,v1=<hex>``.

``v1`` is HMAC-SHA256 over ``f"{t}.{body}"`` with the endpoint's signing secret. Receivers
recompute it, compare in constant time and refuse a timestamp older than their tolerance
(replays). See docs/integration.md, "Checking the signature".
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "TransferDesk-Signature"
DEFAULT_TOLERANCE = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body``."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is not older than ``tolerance``."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - moment) > tolerance:
        return False
    expected = sign(secret, body, moment).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, value)
               for key, value in (p.split("=", 1) for p in header.split(",") if "=" in p)
               if key == "v1")
