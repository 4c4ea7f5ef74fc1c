"""One order as the marketplace hands it over, checked without the database.

The same fields arrive from three entrances (the ``order_inbox`` table, CSV files, JSON lines):
:func:`parse_order` turns a mapping of them into an :class:`OrderRequest` or raises
:class:`OrderError` with a one-line reason a marketplace developer can act on. Values may be
typed (inbox rows, JSON) or text (CSV). Columns are documented in docs/integration.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.intake.currencies import STRIPE_CURRENCIES, ZERO_DECIMAL
from app.resources import resource_path

PAYLOAD_VERSION = 1
MAX_SEATS = 200
MAX_TEXT = 500
KINDS = ("order", "cancel")
#: Every field an order may carry (``amount`` is in major units, ``amount_minor`` in cents).
FIELDS = ("kind", "payload_version", "order_ref", "platform", "account_id", "site_url",
          "event_name", "venue", "event_starts_at", "section", "row", "seats", "quantity",
          "seller_name", "seller_email", "amount", "amount_minor", "currency",
          "payment_intent_id", "accept_by", "hold_expires_at", "cancel_reason")
TEXT_FIELDS = ("platform", "site_url", "event_name", "venue", "section", "row", "seller_name",
               "seller_email", "payment_intent_id")
DATE_FIELDS = ("event_starts_at", "accept_by", "hold_expires_at")
#: The transfer columns an order sets, compared to tell ``duplicate`` from ``updated``.
FACT_COLUMNS = ("platform", "account_id", "event_name", "venue", "event_starts_at", "section",
                "row", "seats", "quantity", "seller_name", "seller_email", "amount", "currency",
                "payment_intent_id", "accept_by", "hold_expires_at")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INTENT = re.compile(r"^pi_[A-Za-z0-9_]+$")


class OrderError(ValueError):
    """The order cannot be applied; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class OrderRequest:
    """A checked order: ``facts`` holds only the transfer columns the sender gave."""

    kind: str
    order_ref: str
    facts: dict[str, Any] = field(default_factory=dict)
    site_url: str | None = None
    cancel_reason: str = ""


def known_platforms() -> frozenset[str]:
    """Platforms with a bundled selector profile (resources/portals/<platform>.toml)."""
    folder = resource_path("portals")
    return frozenset(p.stem for p in folder.glob("*.toml") if not p.stem.endswith("_alt"))


def parse_order(values: Mapping[str, Any], now: datetime | None = None) -> OrderRequest:
    """Check one order's fields (no database access).

    Raises:
        OrderError: the first problem found, in one line.
    """
    moment = now or datetime.now(UTC)
    unknown = sorted(k for k in values if k not in FIELDS)
    if unknown:
        raise OrderError(f"unknown field(s) {', '.join(unknown)}")
    v = {k: _blank_to_none(x) for k, x in values.items()}
    version = _int(v, "payload_version")
    if version is not None and version != PAYLOAD_VERSION:
        raise OrderError(f"payload_version {version} is not supported (expected "
                            f"{PAYLOAD_VERSION})")
    kind = str(v.get("kind") or "order").strip().lower()
    if kind not in KINDS:
        raise OrderError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    order_ref = _text(v, "order_ref")
    if not order_ref:
        raise OrderError("order_ref is empty")
    if kind == "cancel":
        reason = _text(v, "cancel_reason") or "order cancelled by the marketplace"
        return OrderRequest("cancel", order_ref, cancel_reason=reason)
    facts: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if v.get(name) is not None:
            facts[name] = _text(v, name)
    if not facts.get("event_name"):
        raise OrderError("event_name is empty")
    _check_texts(facts)
    account_id = _int(v, "account_id")
    if account_id is not None:
        facts["account_id"] = account_id
    for name in DATE_FIELDS:
        if (when := _date(v, name)) is not None:
            facts[name] = when
    _check_dates(facts, moment)
    _seats_and_quantity(v, facts)
    _money(v, facts)
    return OrderRequest("order", order_ref, facts, site_url=facts.pop("site_url", None))


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _text(v: Mapping[str, Any], name: str) -> str:
    raw = v.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str | int):
        raise OrderError(f"{name} must be text, not {type(raw).__name__}")
    text = str(raw).strip()
    if len(text) > MAX_TEXT or "\n" in text or "\x00" in text:
        raise OrderError(f"{name} must be one line of at most {MAX_TEXT} characters")
    return text


def _check_texts(facts: dict[str, Any]) -> None:
    if "platform" in facts:
        facts["platform"] = facts["platform"].lower()
        known = known_platforms()
        if facts["platform"] not in known:
            raise OrderError(f"unknown platform {facts['platform']!r} (known: "
                                f"{', '.join(sorted(known))})")
    email = facts.get("seller_email")
    if email and not _EMAIL.match(email):
        raise OrderError(f"seller_email {email!r} is not an email address")
    intent = facts.get("payment_intent_id")
    if intent and not _INTENT.match(intent):
        raise OrderError(f"payment_intent_id {intent!r} is not a Stripe PaymentIntent id "
                            "(pi_...)")
    site = facts.get("site_url")
    if site and not site.startswith(("https://", "http://")):
        raise OrderError(f"site_url {site!r} must start with https://")


def _int(v: Mapping[str, Any], name: str) -> int | None:
    raw = v.get(name)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise OrderError(f"{name} {raw!r} is not a whole number")
    try:
        return int(raw)
    except ValueError:
        raise OrderError(f"{name} {raw!r} is not a whole number") from None


def _date(v: Mapping[str, Any], name: str) -> datetime | None:
    raw = v.get(name)
    if raw is None:
        return None
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise OrderError(f"{name} {raw!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise OrderError(f"{name} {raw!r} needs a timezone (e.g. 2026-11-28T19:30:00-05:00)")
    return value


def _check_dates(facts: dict[str, Any], now: datetime) -> None:
    for name in ("event_starts_at", "accept_by"):
        when = facts.get(name)
        if when is not None and when <= now:
            raise OrderError(f"{name} {when.isoformat()} is in the past")


def _seats_and_quantity(v: Mapping[str, Any], facts: dict[str, Any]) -> None:
    raw = v.get("seats")
    seats: list[str] = []
    if isinstance(raw, list | tuple):
        seats = [str(s).strip() for s in raw if str(s).strip()]
    elif raw is not None:
        seats = seat_text(str(raw))
    if len(seats) > MAX_SEATS:
        raise OrderError(f"{len(seats)} seats: at most {MAX_SEATS} per order")
    if len(set(seats)) != len(seats):
        raise OrderError("seats lists a seat twice")
    quantity = _int(v, "quantity")
    if quantity is not None and quantity <= 0:
        raise OrderError("quantity must be positive")
    if quantity is not None and quantity > MAX_SEATS:
        raise OrderError(f"quantity {quantity}: at most {MAX_SEATS} per order")
    if quantity is not None and seats and quantity != len(seats):
        raise OrderError(f"quantity {quantity} does not match {len(seats)} seat(s)")
    if raw is not None:
        facts["seats"] = seats
    if quantity is not None or seats:
        facts["quantity"] = quantity or len(seats)


def seat_text(raw: str) -> list[str]:
    """Seats from ``12;13;14``, ``12,13`` or ranges ``12-14`` (at most MAX_SEATS per range).

    Raises:
        OrderError: a range that runs backwards or is too long.
    """
    seats: list[str] = []
    for part in (p.strip() for p in raw.replace(",", ";").split(";")):
        if not part:
            continue
        low, sep, high = part.partition("-")
        if sep and low.isdigit() and high.isdigit():
            if int(high) < int(low):
                raise OrderError(f"seat range {part!r} runs backwards")
            if int(high) - int(low) >= MAX_SEATS:
                raise OrderError(f"seat range {part!r}: at most {MAX_SEATS} seats per order")
            seats.extend(str(n) for n in range(int(low), int(high) + 1))
        else:
            seats.append(part)
    return seats


def _money(v: Mapping[str, Any], facts: dict[str, Any]) -> None:
    currency = str(v.get("currency") or "").strip().lower()
    if currency:
        if currency not in STRIPE_CURRENCIES:
            raise OrderError(f"currency {currency!r} is not one Stripe supports "
                                "(ISO 4217, e.g. usd)")
        facts["currency"] = currency
    major, minor = v.get("amount"), v.get("amount_minor")
    if major is not None and minor is not None:
        raise OrderError("give amount or amount_minor, not both")
    if minor is not None:
        value = _int(v, "amount_minor")
        if value is None or value < 0:
            raise OrderError("amount_minor must be 0 or more")
        facts["amount"] = value
    elif major is not None:
        try:
            amount = Decimal(str(major).strip())
        except InvalidOperation:
            raise OrderError(f"amount {major!r} is not a number") from None
        places = 0 if (currency or "usd") in ZERO_DECIMAL else 2
        if amount < 0 or amount != amount.quantize(Decimal(1).scaleb(-places)):
            raise OrderError(f"amount {major!r} must be 0 or more with at most {places} "
                                "decimal(s)")
        facts["amount"] = int(amount.scaleb(places))
