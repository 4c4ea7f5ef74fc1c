"""Read an order file (CSV with a header row, or JSON lines) into ``(line, fields)`` rows.

A row that cannot be read (not UTF-8, bad JSON, too many fields) becomes ``(line, reason)``
so it is answered ``rejected`` while every other row is still applied. The whole file is
refused only when it is too large or has no usable header (:class:`OrderFileError`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from app.errors import KnownError
from app.intake.orders import FIELDS

MAX_FILE_BYTES = 20 * 1024 * 1024
Row = tuple[int, dict[str, Any] | str]


class OrderFileError(KnownError):
    """The file as a whole cannot be imported (size, header, format)."""


def read_order_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Row]:
    """Read ``path`` (``.csv``, or ``.jsonl``/``.ndjson``/``.json`` for JSON lines).

    Raises:
        OrderFileError: too large, unreadable, or a CSV header naming unknown columns.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise OrderFileError(f"{path.name} is {size / 1e6:.1f} MB; the limit is "
                                 f"{max_bytes / 1e6:.0f} MB (split the file)")
        data = path.read_bytes()
    except OSError as exc:
        raise OrderFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_order_bytes(data, json_lines=_is_json_lines(path, data))


def _is_json_lines(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return True
    if suffix == ".csv":
        return False
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def parse_order_bytes(data: bytes, json_lines: bool) -> list[Row]:
    """Rows of a CSV or JSON-lines document (see :func:`read_order_file`)."""
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    return _json_lines(text) if json_lines else _csv_rows(text)


def _bad_encoding(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


ENCODING_REASON = "not valid UTF-8 (save the file as UTF-8)"


def _json_lines(text: str) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _bad_encoding(line):
            rows.append((number, ENCODING_REASON))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            rows.append((number, "a line must be one JSON object"))
            continue
        rows.append((number, value))
    if not rows:
        raise OrderFileError("the file has no orders")
    return rows


def _csv_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise OrderFileError("the file is empty") from None
    except csv.Error as exc:
        raise OrderFileError(f"line 1: {exc}") from exc
    if any(_bad_encoding(h) for h in header):
        raise OrderFileError(f"line 1 (header): {ENCODING_REASON}")
    unknown = [h for h in header if h not in FIELDS]
    if unknown or "order_ref" not in header:
        problems = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        if "order_ref" not in header:
            problems.append("missing column order_ref")
        raise OrderFileError(f"line 1 (header): {'; '.join(problems)}")
    rows: list[Row] = []
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append((line, f"cannot read the row: {exc}"))
            continue
        if not any(cell.strip() for cell in record):
            continue
        if any(_bad_encoding(cell) for cell in record):
            rows.append((line, ENCODING_REASON))
        elif len(record) > len(header):
            rows.append((line, f"{len(record)} fields but the header has {len(header)}"))
        else:
            rows.append((line, dict(zip(header, record, strict=False))))
    if not rows:
        raise OrderFileError("the file has no orders")
    return rows
