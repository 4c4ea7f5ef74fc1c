"""Parse a CSV of expected transfers into :class:`NewTransfer` rows with a row-by-row report.

Header row required. Columns (``order_ref`` and ``event_name`` required, the rest optional):
order_ref, event_name, platform, account_id, seller_name, seller_email, venue, event_starts_at,
section, row, seats (``12;13;14`` or ``12-14``), quantity, accept_by, hold_expires_at,
payment_intent_id, amount (major units, e.g. ``125.50``), currency.
Dates are ISO 8601 with a timezone (``2026-11-28T19:30:00-05:00``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from app.domain.errors import ImportFailedError
from app.domain.records import NewTransfer
from app.errors import KnownError
from app.repositories import accounts as account_repo
from app.repositories import transfers as repo

REQUIRED = ("order_ref", "event_name")
OPTIONAL = ("platform", "account_id", "seller_name", "seller_email", "venue", "event_starts_at",
            "section", "row", "seats", "quantity", "accept_by", "hold_expires_at",
            "payment_intent_id", "amount", "currency")
DATE_FIELDS = ("event_starts_at", "accept_by", "hold_expires_at")
MAX_SEATS = 200


@dataclass
class ParsedRows:
    """Rows that parsed cleanly: ``(line number, row)``; checks against the database remain."""

    items: list[tuple[int, NewTransfer]] = field(default_factory=list)

    def check_against(self, session: Session) -> None:
        """Refuse order refs that already exist and accounts that do not or are retired.

        Raises:
            ImportFailedError: listing every such row.
        """
        errors: list[tuple[int, str]] = []
        existing = repo.existing_order_refs(session, [r.order_ref for _, r in self.items])
        account_problems: dict[int, str] = {}
        for line, row in self.items:
            if row.order_ref in existing:
                errors.append((line, f"order {row.order_ref!r} already has a transfer"))
            if row.account_id is not None:
                if row.account_id not in account_problems:
                    account_problems[row.account_id] = _account_problem(session, row.account_id)
                if account_problems[row.account_id]:
                    errors.append((line, account_problems[row.account_id]))
        if errors:
            raise ImportFailedError(errors)


def _account_problem(session: Session, account_id: int) -> str:
    """Why ``account_id`` may not receive transfers ("" when it may)."""
    try:
        account_repo.usable_account(session, account_id)
    except KnownError as exc:
        return str(exc)
    return ""


def parse_csv(text: str) -> ParsedRows:
    """Parse every row, collecting every problem.

    Raises:
        ImportFailedError: a bad header or any bad row (all reported, none kept).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise ImportFailedError([(1, "; ".join(parts))])
    parsed = ParsedRows()
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in record.items()
                  if isinstance(v, str)}
        if None in record:
            errors.append((line, "more fields than columns"))
            continue
        if not any(values.values()):
            continue  # blank line
        try:
            row = _row(values)
        except ValueError as exc:
            errors.append((line, str(exc)))
            continue
        if row.order_ref in seen:
            errors.append((line, f"order {row.order_ref!r} repeats line {seen[row.order_ref]}"))
            continue
        seen[row.order_ref] = line
        parsed.items.append((line, row))
    if errors:
        raise ImportFailedError(errors)
    if not parsed.items:
        raise ImportFailedError([(1, "no rows to import")])
    return parsed


def _row(v: dict[str, str]) -> NewTransfer:
    for name in REQUIRED:
        if not v.get(name):
            raise ValueError(f"{name} is empty")
    seats = _seats(v.get("seats", ""))
    quantity = _int(v, "quantity")
    if quantity is not None and quantity <= 0:
        raise ValueError("quantity must be positive")
    if quantity is not None and seats and quantity != len(seats):
        raise ValueError(f"quantity {quantity} does not match {len(seats)} seat(s)")
    dates = {name: _date(v, name) for name in DATE_FIELDS}
    return NewTransfer(
        order_ref=v["order_ref"],
        event_name=v["event_name"],
        platform=v.get("platform") or "paciolan",
        account_id=_int(v, "account_id"),
        seller_name=v.get("seller_name", ""),
        seller_email=v.get("seller_email", ""),
        venue=v.get("venue", ""),
        section=v.get("section", ""),
        row=v.get("row", ""),
        seats=seats,
        quantity=quantity,
        payment_intent_id=v.get("payment_intent_id") or None,
        amount=_amount(v.get("amount", "")),
        currency=(v.get("currency") or "usd").lower(),
        escrow_status="held" if v.get("payment_intent_id") else "none",
        **dates,
    )


def _int(v: dict[str, str], name: str) -> int | None:
    raw = v.get(name, "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} {raw!r} is not a whole number") from None


def _date(v: dict[str, str], name: str) -> datetime | None:
    raw = v.get(name, "")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name} {raw!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise ValueError(f"{name} {raw!r} needs a timezone (e.g. 2026-11-28T19:30:00-05:00)")
    return value


def _amount(raw: str) -> int | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"amount {raw!r} is not a number") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"amount {raw!r} must be positive with at most 2 decimals")
    return int(value * 100)


def _seats(raw: str) -> tuple[str, ...]:
    from app.intake.orders import seat_text  # the intake's parser: one rule for seat lists

    return tuple(seat_text(raw)) if raw else ()
