"""Tolerant MIME reading: headers, readable text and links out of any message bytes.

Everything here swallows malformed input: a bad charset falls back to UTF-8 with
replacement characters, a broken header decodes to its raw text, an undecodable part is
skipped. HTML is turned into text with the standard library's ``html.parser``.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser

URL_RE = re.compile(r"https?://[^\s\"'<>()\[\]]+", re.IGNORECASE)
_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "section", "article", "header", "footer", "blockquote", "hr", "title",
}
_SKIP_TAGS = {"script", "style", "head"}
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base", "source"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_KEY_HEADERS = ("from", "to", "cc", "subject", "date", "reply-to")
MAX_PARTS = 200


class _HtmlToText(HTMLParser):
    """Collects visible text (one line per block element) and every ``href``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.anchors: list[tuple[str, str]] = []  # (href, the words or image alt of the link)
        self._open_anchor: tuple[str, int] | None = None
        self._anchor_alt: list[str] = []
        self._skip_depth = 0
        self._depth = 0
        self._hidden_at = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        if tag not in _VOID_TAGS:
            self._depth += 1
            style = " ".join(v or "" for k, v in attrs if k in ("style", "hidden"))
            if not self._hidden_at and (_HIDDEN_STYLE.search(style)
                                        or any(k == "hidden" for k, _ in attrs)):
                self._hidden_at = self._depth  # a preheader or tracking text nobody sees
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            self.chunks.append("\n" if tag not in ("td", "th") else "\t")
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value.strip())
                    self._open_anchor, self._anchor_alt = (value.strip(), len(self.chunks)), []
        if tag == "img" and self._open_anchor is not None:
            self._anchor_alt.extend(v or "" for k, v in attrs if k == "alt")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_anchor is not None:
            href, start = self._open_anchor
            words = " ".join("".join(self.chunks[start:]).split()) or " ".join(self._anchor_alt)
            self.anchors.append((href, words))
            self._open_anchor, self._anchor_alt = None, []
        if tag in _SKIP_TAGS and self._skip_depth:
            self._skip_depth -= 1
        if tag not in _VOID_TAGS:
            if self._hidden_at and self._depth <= self._hidden_at:
                self._hidden_at = 0
            self._depth = max(0, self._depth - 1)
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and not self._hidden_at:
            self.chunks.append(data)


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Return the visible text of ``html`` and its link targets."""
    text, links, _ = html_to_text_and_anchors(html)
    return text, links


def html_to_text_and_anchors(html: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """The visible text of ``html``, its link targets and each link's words."""
    parser = _HtmlToText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient, but never let markup break a parse
        pass
    text = "".join(parser.chunks).replace("\xa0", " ")
    lines = (
        re.sub(r" *\t[ \t]*", "\t", re.sub(r" +", " ", line)).strip(" \t")
        for line in text.splitlines()
    )
    return "\n".join(line for line in lines if line), parser.links, parser.anchors


def decode_header_value(value: object) -> str:
    """Decode an RFC 2047 header to text, falling back to its raw form."""
    if value is None:
        return ""
    raw = str(value)
    try:
        # A Header object (8-bit bytes in the header) decodes to its chunks directly.
        parts = email.header.decode_header(
            value if isinstance(value, email.header.Header) else raw
        )
        out: list[str] = []
        for chunk, charset in parts:
            if isinstance(chunk, bytes):
                out.append(decode_bytes(chunk, charset))
            else:
                out.append(chunk)
        text = "".join(out)
    except Exception:
        text = raw
    return re.sub(r"\s+", " ", text).strip()


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode ``data`` with ``charset``; unknown or wrong charsets fall back to UTF-8/Latin-1."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


@dataclass
class MessageContent:
    """What the parser needs from a message."""

    headers: dict[str, str] = field(default_factory=dict)
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    html_source: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (href, its words) in HTML
    attached: list[tuple[str, str]] = field(default_factory=list)  # (from, subject) of each

    def text(self) -> str:
        """Readable body: the plain-text parts, or the HTML parts as text when there are none."""
        if any(p.strip() for p in self.plain):
            return "\n".join(self.plain)
        return "\n".join(self.html)


def read_message(raw: bytes) -> tuple[Message, MessageContent]:
    """Parse ``raw`` leniently and extract headers, body text and links."""
    msg = email.message_from_bytes(raw)
    content = MessageContent()
    for name in _KEY_HEADERS + ("message-id",):
        content.headers[name] = decode_header_value(msg.get(name))
    _collect(msg, content)
    return msg, content


def _collect(msg: Message, content: MessageContent) -> None:
    for index, part in enumerate(msg.walk()):
        if index >= MAX_PARTS:
            break
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and part.is_multipart():
            inner = part.get_payload(0)
            if isinstance(inner, Message):
                inner_from = decode_header_value(inner.get("from"))
                content.attached.append((inner_from, decode_header_value(inner.get("subject"))))
        if part.is_multipart():
            continue  # walk() visits the sub-parts, including an attached message's
        disposition = str(part.get("content-disposition", "")).lower()
        if ctype not in ("text/plain", "text/html") or disposition.startswith("attachment"):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            continue
        if not isinstance(payload, bytes):
            continue
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        text = decode_bytes(payload, charset)
        if ctype == "text/html":
            as_text, links, anchors = html_to_text_and_anchors(text)
            content.html.append(as_text)
            content.html_source.append(text)
            content.links.extend(links)
            content.anchors.extend(anchors)
        else:
            content.plain.append(re.sub(r"\r+\n?", "\n", text))
    for text in content.plain + content.html:
        content.links.extend(URL_RE.findall(text))


def parse_date(value: str) -> datetime | None:
    """Parse an RFC 5322 date header; None when missing or malformed."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_address(value: str) -> tuple[str, str]:
    """Split ``Name <addr>`` into (name, lower-cased address); empty strings when absent."""
    try:
        name, addr = email.utils.parseaddr(value)
    except Exception:
        return "", ""
    return name.strip(), addr.strip().lower()


def header_block(raw: bytes) -> bytes:
    """The header section of ``raw`` (up to the first empty line)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(sep)
        if index >= 0:
            return raw[: index + len(sep)]
    return raw[:65536]


# Headers a relay adds or rewrites on the way: the same message delivered twice differs only here.
_TRANSPORT_HEADERS = re.compile(
    rb"^(?:received|delivered-to|return-path|x-original-to|x-received|arc-[a-z-]+|"
    rb"authentication-results|received-spf|x-spam-[a-z-]+|x-virus-[a-z-]+|dkim-signature|"
    rb"x-google-dkim-signature|x-gm-message-state|x-forwarded-to|x-forwarded-for|envelope-to|"
    rb"x-envelope-[a-z-]+|x-ms-exchange-[a-z-]+|x-uid|status|x-status|x-keywords)\s*:",
    re.IGNORECASE,
)


def _stable_header_lines(head: bytes) -> list[bytes]:
    """The header lines (folded lines joined) without the transport headers."""
    lines: list[bytes] = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip()
        elif line.strip():
            lines.append(line.rstrip())
    return [line for line in lines if not _TRANSPORT_HEADERS.match(line)]


def derived_key(raw: bytes) -> str:
    """A stable key for a message without a Message-ID: sha256 of every header but the
    transport ones (Received, Delivered-To, ...) and of the whole body.

    So the same message delivered twice gets the same key, and two different messages (also
    header-only ones, or binary junk without any header) never share one.
    """
    head = header_block(raw)
    digest = hashlib.sha256()
    for line in _stable_header_lines(head):
        digest.update(line + b"\n")
    digest.update(b"\n")
    digest.update(raw[len(head):].replace(b"\r\n", b"\n"))
    return "sha256:" + digest.hexdigest()


def message_key(raw: bytes, message_id: str) -> str:
    """The unique key of a message: its Message-ID when present, else :func:`derived_key`."""
    cleaned = message_id.strip()
    if cleaned and len(cleaned) <= 900:
        return cleaned
    return derived_key(raw)
