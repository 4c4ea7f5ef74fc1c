"""Which portal sent a message, directly or inside a forward or a quoted reply.

Gmail's "Forwarded message" block, Outlook's From/Sent/To/Subject block, "Begin forwarded
message:", an attached message/rfc822 and "On ... <addr> wrote:" quotes are recognised; the
original sender, subject and body win over the forwarder's.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.mail import mime
from app.mail.templates import Template
from app.mail.values import parse_datetime

_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Original Message)\s*-{2,}"
    r"|Begin forwarded message:|_{10,}\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_FROM = re.compile(
    r"^[ \t>]*(?:\*\s*)?(?:From|De|Von)\s*:\s*(?:\*\s*)?(?P<value>.+)$"
    r"|^[ \t>]*On\b[^\n]{4,200}?(?P<wrote>[^\s<>]+@[^\s<>]+|<[^<>\s]+@[^<>\s]+>)"
    r"[^\n]{0,20}?wrote:\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_HEADER = re.compile(
    r"^[ \t>]*(?:\*\s*)?(?:From|Sent|Date|To|Cc|Subject|Reply-To)\s*:.*$\n?",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_SUBJECT = re.compile(r"^[ \t>]*Subject:\s*(?P<value>.+)$", re.IGNORECASE | re.MULTILINE)
_FORWARD_DATE = re.compile(
    r"^[ \t>]*(?:\*\s*)?(?:Date|Sent)\s*:\s*(?:\*\s*)?(?P<value>.+)$", re.IGNORECASE | re.MULTILINE
)
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)



def find_portal(
    from_addr: str,
    subject: str,
    text: str,
    attached: list[tuple[str, str]],
    templates: tuple[Template, ...],
) -> tuple[Template | None, str, str, bool, str]:
    """The portal template, the effective subject and body, whether it was forwarded, and the
    original sender's address (the forwarded one's, or the sender's)."""
    body = _QUOTE_PREFIX.sub("", text) if ">" in text else text  # no quote mark: nothing to do
    for template in templates:
        if from_addr and template.is_sender_domain(from_addr):
            return template, subject, body, False, from_addr
    for inner_from, inner_subject in attached:  # forwarded as an attachment
        _, inner_addr = mime.parse_address(inner_from)
        for template in templates:
            if inner_addr and template.is_sender_domain(inner_addr):
                return template, inner_subject, body, True, inner_addr
    marker = _FORWARD_MARKER.search(text)
    start = marker.start() if marker else 0
    for found in _FORWARD_FROM.finditer(text, start):
        _, inner_from = mime.parse_address(found["value"] or found["wrote"] or "")
        for template in templates:
            if inner_from and template.is_sender_domain(inner_from):
                subject_line = _FORWARD_SUBJECT.search(text, found.end(), found.end() + 2000)
                forwarded_subject = subject_line["value"].strip() if subject_line else subject
                return (template, forwarded_subject, _original_body(text, found.start()), True,
                        inner_from)
    return None, subject, body, False, from_addr


def original_sent(text: str, forwarded_at: datetime | None) -> datetime | None:
    """When the forwarded original was sent, from the Date/Sent line of its header block.

    Mail clients write that line in the forwarder's local time without a zone: it takes the
    forward's own offset. None when the block names no date (a deadline counted from it is
    then unknown, not guessed from the forward's date).
    """
    marker = _FORWARD_MARKER.search(text)
    start = marker.end() if marker else None
    if start is None:
        from_line = _FORWARD_FROM.search(text)
        start = from_line.start() if from_line and from_line["value"] else None
    if start is None:
        return None
    lines = text[start:start + 2000].lstrip("\n").split("\n")
    for line in lines[:12]:  # the header block: From/Sent/Date/To/Subject lines, no gap
        if not _FORWARD_HEADER.match(line + "\n"):
            break
        if found := _FORWARD_DATE.match(line):
            sent = parse_datetime(found["value"], forwarded_at)
            if sent is not None and sent.tzinfo is None and forwarded_at is not None:
                sent = sent.replace(tzinfo=forwarded_at.tzinfo)
            return sent
    return None


def _original_body(text: str, start: int) -> str:
    """The forwarded original: from its header block on, without the block and quote marks."""
    original = _QUOTE_PREFIX.sub("", text[start:])
    lines = original.split("\n")
    index = 0
    while index < len(lines) and index < 12 and (
        _FORWARD_HEADER.match(lines[index] + "\n") or not lines[index].strip()
        or re.search(r"wrote:\s*$", lines[index])
    ):
        index += 1
    return "\n".join(lines[index:])
