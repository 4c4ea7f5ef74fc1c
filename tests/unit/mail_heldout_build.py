"""Builders of the held-out notice corpus (see tests/unit/mail_heldout_samples.py).

Raw RFC 5322 messages are put together by hand, part by part, so each sample controls its own
MIME shape, charset and transfer encoding.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from collections.abc import Mapping
from dataclasses import dataclass

_MARKET = "transfers@marketplace.example"


@dataclass(frozen=True)
class HeldoutSample:
    """One raw message and the fields a reader would take from it."""

    name: str
    raw: bytes
    expected: Mapping[str, object]
    taught_domains: tuple[str, ...] = ()  # sender domains staff taught (read as the portal's)


def leaf(ctype: str, text: str, charset: str = "utf-8", cte: str = "7bit") -> bytes:
    """One text part: its headers and ``text`` in ``charset``, transfer-encoded by ``cte``."""
    data = text.encode(charset)
    if cte == "quoted-printable":
        data = quopri.encodestring(data)
    elif cte == "base64":
        data = base64.encodebytes(data)
    head = f"Content-Type: {ctype}; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
    return head.encode("ascii") + data


def multi(subtype: str, boundary: str, *parts: bytes) -> bytes:
    """A multipart body holding ``parts``."""
    out = f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\n\n".encode("ascii")
    out += b"This is a multi-part message in MIME format.\n"
    for part in parts:
        out += f"\n--{boundary}\n".encode("ascii") + part
    return out + f"\n--{boundary}--\n".encode("ascii")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encoded_word(text: str) -> str:
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode('ascii')}?="


def message(sender: str, subject: str, date: str, body: bytes, to: str = _MARKET) -> bytes:
    """A whole message: the top-level headers, then ``body`` (a part with its own headers)."""
    head = (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
        f"Message-ID: <{_digest(sender + subject + date)}@mailer.example>\nMIME-Version: 1.0\n"
    )
    return head.encode("ascii") + body


def notice(**fields: object) -> dict[str, object]:
    """Expected fields of an offer: every field named, absent ones ``None``."""
    base: dict[str, object] = {
        "kind": "transfer_notice",
        "transfer_ref": None,
        "event_name": None,
        "event_starts_at": None,
        "venue": None,
        "section": None,
        "row": None,
        "seats": (),
        "sender_name": None,
        "accept_url": None,
        "expires_at": None,
    }
    base.update(fields)
    return base


def followup(kind: str, **fields: object) -> dict[str, object]:
    """Expected fields of a reminder, cancellation or confirmation (only those it states)."""
    return {"kind": kind, **fields}


class Corpus(list[HeldoutSample]):
    """The samples of one part of the corpus, in order."""

    def add(
        self, name: str, raw: bytes, expected: Mapping[str, object], taught: tuple[str, ...] = ()
    ) -> None:
        self.append(HeldoutSample(name, raw, expected, taught))


BAYOU_ACCEPT = (
    "https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEAcceptTransfer"
    "?transferId=40051872&amp;token=q8Zr2"
)
