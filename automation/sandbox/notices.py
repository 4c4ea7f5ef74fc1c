"""Pure builders of the sandbox portal's emails: transfer notices and verification codes.

Bytes out, no I/O, deterministic for the same input (the Message-ID derives from the transfer
reference unless given), so the mail parser's tests can use them as fixtures. The shape follows
Paciolan's notices: a multipart/alternative message (text + HTML) from the portal's no-reply
address, naming the sender, event, date, venue, section, row, seats, quantity, an accept link and
the deadline.
"""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass, fields
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from typing import Any

PORTAL_DOMAIN = "sandbox-paciolan.test"
PORTAL_SENDER = f"no-reply@{PORTAL_DOMAIN}"


@dataclass(frozen=True)
class TransferDetails:
    """What the seller transfers."""

    sender_name: str
    sender_email: str
    event_name: str
    event_starts_at: datetime
    venue: str
    section: str
    row: str
    seats: tuple[str, ...]

    def detail_fields(self) -> dict[str, Any]:
        """The transfer details alone, by field name (also on a :class:`TransferNotice`)."""
        return {f.name: getattr(self, f.name) for f in fields(TransferDetails)}


@dataclass(frozen=True)
class TransferNotice(TransferDetails):
    """Everything a transfer notice says: the details plus where and when it was sent."""

    transfer_ref: str
    accept_url: str
    site_name: str
    recipient_email: str
    recipient_name: str
    expires_at: datetime
    sent_at: datetime

    @property
    def quantity(self) -> int:
        """Number of tickets."""
        return len(self.seats)


def format_when(value: datetime) -> str:
    """``Sat, Nov 28, 2026 7:30 PM UTC`` (platform-independent, no locale)."""
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return (
        f"{value:%a, %b} {value.day}, {value.year} {hour}:{value.minute:02d} {suffix} "
        f"{value.tzname() or ''}"
    ).strip()


def _plural(count: int) -> str:
    return "ticket" if count == 1 else "tickets"


def notice_subject(notice: TransferNotice) -> str:
    """``Ticket Transfer: Jane Doe sent you 2 tickets to Football vs. Rival``."""
    return (
        f"Ticket Transfer: {notice.sender_name} sent you {notice.quantity} "
        f"{_plural(notice.quantity)} to {notice.event_name}"
    )


def build_transfer_notice(notice: TransferNotice, message_id: str | None = None) -> bytes:
    """The notice email for a transfer, as RFC 5322 bytes (CRLF line ends)."""
    seats = ", ".join(notice.seats)
    qty = f"{notice.quantity} {_plural(notice.quantity)}"
    text = f"""Hi {notice.recipient_name},

{notice.sender_name} ({notice.sender_email}) has transferred {qty} to you.

Event: {notice.event_name}
Date: {format_when(notice.event_starts_at)}
Venue: {notice.venue}
Section: {notice.section}
Row: {notice.row}
Seats: {seats}
Quantity: {notice.quantity}

Accept your tickets by {format_when(notice.expires_at)}:
{notice.accept_url}

If you do not accept them by then, the tickets go back to {notice.sender_name}.
Transfer ID: {notice.transfer_ref}

{notice.site_name} Ticket Office
"""
    rows = "".join(
        f'<tr><th scope="row" align="left">{k}</th><td>{escape(v)}</td></tr>'
        for k, v in (
            ("Event", notice.event_name),
            ("Date", format_when(notice.event_starts_at)),
            ("Venue", notice.venue),
            ("Section", notice.section),
            ("Row", notice.row),
            ("Seats", seats),
            ("Quantity", str(notice.quantity)),
        )
    )
    html = f"""<!doctype html><html><body style="font-family:Arial,sans-serif">
<h1 style="font-size:20px">You've received tickets</h1>
<p>Hi {escape(notice.recipient_name)},</p>
<p><strong>{escape(notice.sender_name)}</strong> ({escape(notice.sender_email)}) has transferred
{qty} to you.</p>
<table cellpadding="4">{rows}</table>
<p><a href="{escape(notice.accept_url)}" style="background:#00427a;color:#fff;padding:10px 18px;
text-decoration:none">Accept Tickets</a></p>
<p>Accept by <strong>{format_when(notice.expires_at)}</strong>. If you do not accept them by then,
the tickets go back to {escape(notice.sender_name)}.</p>
<p style="color:#666">Transfer ID: {escape(notice.transfer_ref)}<br>
{escape(notice.site_name)} Ticket Office</p></body></html>
"""
    msg = _envelope(
        notice.site_name,
        notice.recipient_email,
        notice_subject(notice),
        notice.sent_at,
        message_id or f"<transfer-{notice.transfer_ref}@{PORTAL_DOMAIN}>",
    )
    msg["Reply-To"] = formataddr((notice.sender_name, notice.sender_email))
    msg["X-Transfer-Ref"] = notice.transfer_ref
    return _finish(msg, text, html)


def build_verification_email(
    recipient_email: str,
    code: str,
    site_name: str,
    sent_at: datetime,
    valid_minutes: int = 10,
    message_id: str | None = None,
) -> bytes:
    """The email carrying a 6-digit sign-in verification code."""
    text = f"""Your {site_name} verification code is: {code}

Enter this code to finish signing in. It expires in {valid_minutes} minutes.
If you did not try to sign in, you can ignore this email.
"""
    html = f"""<!doctype html><html><body style="font-family:Arial,sans-serif">
<p>Your {escape(site_name)} verification code is:</p>
<p style="font-size:28px;letter-spacing:4px"><strong>{escape(code)}</strong></p>
<p>Enter this code to finish signing in. It expires in {valid_minutes} minutes.</p>
<p style="color:#666">If you did not try to sign in, you can ignore this email.</p>
</body></html>
"""
    stamp = int(sent_at.timestamp() * 1000)
    msg = _envelope(
        site_name,
        recipient_email,
        f"Your {site_name} verification code",
        sent_at,
        message_id or f"<code-{stamp}-{code}@{PORTAL_DOMAIN}>",
    )
    return _finish(msg, text, html)


def _finish(msg: EmailMessage, text: str, html: str) -> bytes:
    """Add the text and HTML parts with a boundary derived from the Message-ID (deterministic)."""
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    digest = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:24]
    msg.set_boundary(f"==td-{digest}==")
    return msg.as_bytes(policy=email.policy.SMTP)


def _envelope(
    site_name: str, recipient: str, subject: str, sent_at: datetime, message_id: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((f"{site_name} Tickets", PORTAL_SENDER))
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id
    return msg
