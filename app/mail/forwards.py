"""Which portal sent a message, directly or inside a forward or a quoted reply.

Gmail's "Forwarded message" block, Outlook's From/Sent/To/Subject block, "Begin forwarded
message:", an attached message/rfc822 and "On ... <addr> wrote:" quotes are recognised; the
original sender, subject and body win over the forwarder's.
"""

from __future__ import annotations

import re

from app.mail import mime
from app.mail.templates import Template

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
