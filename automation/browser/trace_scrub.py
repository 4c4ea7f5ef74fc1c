"""Rewrite a Playwright trace so the stored copy carries no live session.

A trace's network log (``*.network`` / ``*.trace``: one JSON event per line, HAR-style
request/response entries) holds every Cookie, Set-Cookie and Authorization header: with them
anyone who can read evidence could use the portal account. :func:`scrub_trace` blanks those
headers and cookie lists in place, then replaces every remaining occurrence of the session's
cookie values and the removed header values (raw, URL- and base64-encoded) in every entry of
the archive, resources included. File names, event order and JSON structure stay as they are,
so the trace still opens in Playwright's viewer.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization"})
SECRET_HEADER_WORDS = ("token", "auth", "session", "api-key", "apikey", "secret", "csrf", "xsrf")
MIN_SECRET_LENGTH = 8
"""Shorter values (``1``, ``true``) are not searched for across the archive (headers holding
them are still blanked)."""
_LOG_SUFFIXES = (".network", ".trace")


def is_secret_header(name: str) -> bool:
    """True for headers that carry credentials or session state."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or any(word in lowered for word in SECRET_HEADER_WORDS)


def encoded_forms(value: str) -> set[bytes]:
    """``value`` raw, JSON-escaped, URL-encoded and base64-encoded, as bytes."""
    raw = value.encode()
    return {raw, json.dumps(value)[1:-1].encode(), quote(value, safe="").encode(),
            quote_plus(value).encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw),
            base64.b64encode(raw).rstrip(b"=")}


def _cookie_values(header: str, name: str) -> list[str]:
    """Values inside a Cookie (``a=b; c=d``) or Set-Cookie (``a=b; Path=/``) header."""
    parts = header.split(";") if name == "cookie" else header.split(";")[:1]
    return [p.split("=", 1)[1].strip() for p in parts if "=" in p]


class _Scrubber:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.found: set[str] = {s for s in secrets if s}

    def entry(self, value: Any) -> Any:
        """Blank secret headers and cookie lists anywhere in one decoded event."""
        if isinstance(value, list):
            return [self.entry(v) for v in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "cookies" and isinstance(item, list):
                for cookie in item:
                    if isinstance(cookie, dict) and isinstance(cookie.get("value"), str):
                        self.found.add(cookie["value"])
                        cookie["value"] = REDACTED
                out[key] = item
            elif key == "headers" and isinstance(item, list):
                out[key] = [self._header(h) for h in item]
            else:
                out[key] = self.entry(item)
        return out

    def _header(self, header: Any) -> Any:
        if not (isinstance(header, dict) and isinstance(header.get("name"), str)
                and isinstance(header.get("value"), str)):
            return header
        name = header["name"].lower()
        if not is_secret_header(name):
            return header
        self.found.add(header["value"])
        if name in ("cookie", "set-cookie"):
            self.found.update(_cookie_values(header["value"], name))
        elif " " in header["value"]:  # "Bearer abc": the credential itself too
            self.found.add(header["value"].split(" ", 1)[1])
        return {**header, "value": REDACTED}

    def log(self, content: bytes) -> bytes:
        lines = []
        for line in content.decode("utf-8").split("\n"):
            if line.strip():
                line = json.dumps(self.entry(json.loads(line)), separators=(",", ":"))
            lines.append(line)
        return "\n".join(lines).encode("utf-8")

    def values(self, content: bytes) -> bytes:
        needles = sorted({form for s in self.found if len(s) >= MIN_SECRET_LENGTH
                          for form in encoded_forms(s)}, key=len, reverse=True)
        for needle in needles:
            content = content.replace(needle, REDACTED.encode())
        return content


def scrub_trace(trace: bytes, secrets: Iterable[str] = ()) -> bytes:
    """A copy of the trace zip without session cookies, auth headers or their values.

    Args:
        trace: the archive Playwright wrote.
        secrets: values to remove wherever they appear (the context's live cookie values).

    Raises:
        zipfile.BadZipFile / ValueError: not a Playwright trace archive.
    """
    scrubber = _Scrubber(secrets)
    with zipfile.ZipFile(io.BytesIO(trace)) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    logs = {info.filename: scrubber.log(content) for info, content in entries
            if info.filename.endswith(_LOG_SUFFIXES)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in entries:
            target.writestr(info, scrubber.values(logs.get(info.filename, content)),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
