"""Which link of a notice accepts the transfer. Pure functions.

Schools send the accept link as a button ("Accept Tickets", "Claim"), as a labelled line in
text ("Accept: https://...", "To accept, open this link:" above it), and often behind a
click-tracking redirect. A redirect that carries its destination in the query (``?url=https%3A
...``) is read as that destination; an opaque one (a token only) is kept as it is: the words
of its button or label say what it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from app.mail.mime import URL_RE

_ACCEPT_WORDS = re.compile(r"\b(?:accept|claim)\b", re.IGNORECASE)
_ACCEPT_PAGE = re.compile(r"accept|claim|transfer", re.IGNORECASE)
_NOT_ACCEPT = re.compile(r"\b(?:decline|reject|unsubscribe|terms|policy|faq|help)\b", re.I)
MAX_LABEL_CHARS = 80
_TRAILING = ".,;:!?)]'\""


def destination(url: str, depth: int = 3) -> str:
    """Where a click-tracking redirect leads, when its query names an http(s) address.

    A link whose own address is already an accept/claim/transfer page is kept as it is (its
    query may carry a return address: that is not where the link leads)."""
    for _ in range(depth):
        if "http" not in url[url.find("?") + 1:].lower() or "?" not in url:
            return url  # no address in the query: not a tracker that names its destination
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        if _ACCEPT_PAGE.search(parts.netloc + parts.path):
            return url
        inner = next(
            (v for _, v in parse_qsl(parts.query) if re.match(r"https?://", v, re.I)), None
        )
        if inner is None:
            return url
        url = inner
    return url


def clean(url: str) -> str:
    """A link without the punctuation a sentence put after it."""
    return url.rstrip(_TRAILING)


def text_anchors(text: str) -> list[tuple[str, str]]:
    """``(url, label)`` of each address in plain text: the words before it on its line, or the
    line above when it stands alone."""
    if "://" not in text:
        return []
    anchors: list[tuple[str, str]] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = URL_RE.search(line) if "://" in line else None
        if found is None:
            continue
        before = line[: found.start()].strip(" \t:(<[-–—")
        if not before:
            above = next((lines[j].strip() for j in range(index - 1, max(index - 4, -1), -1)
                          if lines[j].strip()), "")
            before = above
        anchors.append((clean(found[0]), before))
    return anchors


def says_accept(label: str) -> bool:
    """Whether a button or label names the accept action."""
    short = label.strip()
    return (0 < len(short) <= MAX_LABEL_CHARS and bool(_ACCEPT_WORDS.search(short))
            and not _NOT_ACCEPT.search(short))


def accept_by_label(anchors: list[tuple[str, str]]) -> str | None:
    """The first link whose button or label says accept/claim (its destination if tracked)."""
    for url, label in anchors:
        if says_accept(label) and re.match(r"https?://", url, re.IGNORECASE):
            return destination(clean(url))
    return None


def accept_link(
    patterns: Sequence[re.Pattern[str]], links: list[str], anchors: list[tuple[str, str]]
) -> str | None:
    """The accept link: the first address pattern (accept/claim in the address), then the link
    a button or label names, then the other patterns; a tracked link as its destination."""
    targets = [destination(clean(link)) for link in links]
    for index, pattern in enumerate(patterns):
        if index == 1 and (labelled := accept_by_label(anchors)):
            return labelled
        for link in targets:
            if pattern.search(link):
                return link
    return accept_by_label(anchors)
