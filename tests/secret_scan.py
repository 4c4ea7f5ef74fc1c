"""Secret scans shared by the tests: a secret in any encoding, anywhere in stored evidence."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterable, Iterator
from urllib.parse import quote, quote_plus


def encodings(secret: str) -> set[bytes]:
    """``secret`` raw, lower-cased, UTF-16, URL-encoded and base64-encoded."""
    raw = secret.encode()
    return {raw, secret.lower().encode(), secret.encode("utf-16-le"),
            quote(secret, safe="").encode(), quote_plus(secret).encode(),
            base64.b64encode(raw), base64.b64encode(raw).rstrip(b"="),
            base64.urlsafe_b64encode(raw)}


def found_in(blob: bytes, secrets: Iterable[str]) -> list[str]:
    """The secrets (any encoding) that occur in ``blob``."""
    return [s for s in secrets if any(form in blob for form in encodings(s))]


def trace_entries(trace: bytes) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of every file in a Playwright trace archive."""
    with zipfile.ZipFile(io.BytesIO(trace)) as archive:
        for name in archive.namelist():
            yield name, archive.read(name)


def secrets_in_trace(trace: bytes, secrets: Iterable[str]) -> list[tuple[str, str]]:
    """``(entry name, secret)`` for every secret found in a trace archive."""
    wanted = list(secrets)
    return [(name, s) for name, content in trace_entries(trace) for s in found_in(content, wanted)]
