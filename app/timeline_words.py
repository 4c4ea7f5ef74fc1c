"""Words the desk shows for the core's enums and values: outcomes, statuses, escrow states,
seats, money, durations and who ran a run. Owned here so the timeline and the accounts and
dashboard views say the same thing; pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.domain.states import EscrowStatus, Outcome, Status

#: How a finished run reads, by outcome (completed with "by <who> in <time>").
OUTCOME_PHRASES: Mapping[Outcome, str] = {
    Outcome.ACCEPTED: "Accepted",
    Outcome.ALREADY_ACCEPTED: "Found already accepted",
    Outcome.NOT_FOUND: "Transfer not found on the portal",
    Outcome.EXPIRED_ON_PORTAL: "Found expired on the portal",
    Outcome.CANCELLED_BY_SENDER: "Found cancelled by the sender",
    Outcome.WRONG_TICKETS: "Wrong tickets seen",
    Outcome.LOGIN_FAILED: "Sign-in failed",
    Outcome.MFA_TIMEOUT: "No verification code in time",
    Outcome.BOT_CHALLENGE: "Stopped at a bot challenge",
    Outcome.PORTAL_ERROR: "Portal error",
    Outcome.TIMEOUT: "Timed out",
    Outcome.SELECTOR_DRIFT: "Page layout not recognised",
    Outcome.ABORTED: "Stopped",
    Outcome.UNTRUSTED_LINK: "Refused an accept link off the account's site",
    Outcome.UNVERIFIED: "Accepted, seats not confirmed",
    Outcome.PAYMENT_REQUIRED: "Stopped: the site asks the recipient to pay",
    Outcome.BLOCKED: "Refused by the site (automated browsers blocked)",
}

#: Where a transfer went, as a phrase ("back to the queue").
STATUS_WORDS: Mapping[str, str] = {
    Status.AWAITING_NOTICE.value: "waiting for its notice",
    Status.NOTICE_RECEIVED.value: "the queue",
    Status.ACCEPTING.value: "being accepted",
    Status.NEEDS_REVIEW.value: "review",
    Status.VERIFIED.value: "verified",
    Status.REJECTED.value: "rejected",
    Status.EXPIRED.value: "expired",
}

#: The buyer's hold, as a past participle or state ("Hold captured").
ESCROW_WORDS: Mapping[str, str] = {
    EscrowStatus.NONE.value: "not placed",
    EscrowStatus.HELD.value: "held",
    EscrowStatus.CAPTURE_PENDING.value: "being captured",
    EscrowStatus.CAPTURED.value: "captured",
    EscrowStatus.CANCEL_PENDING.value: "being released",
    EscrowStatus.CANCELLED.value: "released",
    EscrowStatus.LAPSED.value: "lapsed before capture",
    EscrowStatus.FAILED.value: "failed",
}

_SYMBOLS = {"usd": "$", "cad": "CA$", "eur": "€", "gbp": "£"}


def money(cents: int, currency: str) -> str:
    """``12000, "usd"`` -> ``$120.00``; other currencies by code (``120.00 CHF``)."""
    symbol = _SYMBOLS.get(currency.lower())
    amount = f"{cents / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def duration(seconds: float) -> str:
    """``4.1 s``, ``2 min 5 s``, ``1 h 20 min``, ``3 d 4 h``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def seat_phrase(section: str, row: str, seats: Sequence[str]) -> str:
    """``Sec 1A Row 12, seats 7–8`` (a run of numbers as a range; empty parts left out)."""
    parts = [f"Sec {section}" if section else "", f"Row {row}" if row else ""]
    place = " ".join(p for p in parts if p)
    if not seats:
        return place
    listed = _seat_range(seats)
    seat_words = f"seat {listed}" if len(seats) == 1 else f"seats {listed}"
    return f"{place}, {seat_words}" if place else seat_words


def _seat_range(seats: Sequence[str]) -> str:
    if len(seats) > 1 and all(s.isdigit() for s in seats):
        numbers = [int(s) for s in seats]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(seats)


def who_ran(worker: str) -> str:
    """A run's worker id as words: ``vm-2:41:ab12`` -> ``the worker on vm-2``,
    ``desk:ana-pc:77`` -> ``the desk on ana-pc``; any other name as it is."""
    parts = worker.split(":")
    if len(parts) == 3 and parts[0] == "desk" and parts[1]:
        return f"the desk on {parts[1]}"
    if len(parts) == 3 and parts[1].isdigit() and parts[0]:
        return f"the worker on {parts[0]}"
    return worker or "an unnamed worker"


def note_part(note: str) -> str:
    """`` (note: …)`` for a note, on one line and at most 120 characters; "" for none."""
    line = " ".join(note.split())
    if not line:
        return ""
    return f" (note: {line if len(line) <= 120 else line[:119].rstrip() + '…'})"
