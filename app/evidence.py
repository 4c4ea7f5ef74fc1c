"""Evidence store: files in PostgreSQL (bytea), typed from their content, hashed, size-limited.

The type is detected from the bytes (magic numbers), never trusted from the name: png, jpeg,
pdf, zip (Playwright traces), eml (message/rfc822) and plain UTF-8 text. Empty, oversized or
unrecognised content is refused with a clear :class:`EvidenceError` and nothing is stored.
The sha256 is computed on write and checked again on every read. Evidence cannot be changed or
deleted through the app (no grant; an append-only trigger).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import EVIDENCE_KINDS
from app.domain.errors import EvidenceError, NotFoundError
from app.domain.records import EvidenceInfo
from app.domain.states import Role
from app.repositories import mapping, records
from app.repositories import transfers as transfer_repo
from app.services.base import Service

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

PNG, JPEG, PDF, ZIP = "image/png", "image/jpeg", "application/pdf", "application/zip"
EML, TXT = "message/rfc822", "text/plain"
ALLOWED_TYPES = (PNG, JPEG, PDF, ZIP, EML, TXT)

#: Which detected types each evidence kind accepts.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    "screenshot": (PNG, JPEG),
    "trace": (ZIP,),
    "email": (EML,),
    "upload": ALLOWED_TYPES,
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?.*$")
_MAIL_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"received",
                 b"return-path", b"mime-version", b"delivered-to")
_TEXT_CONTROL_OK = {9, 10, 12, 13}


@dataclass(frozen=True)
class Upload:
    """A file to store as evidence alongside a decision."""

    filename: str
    content: bytes
    kind: str = "upload"


def sniff_content_type(content: bytes) -> str | None:
    """The allowed content type of ``content`` from its bytes, or None when not allowed."""
    for magic, content_type in _MAGIC:
        if content.startswith(magic):
            return content_type
    if _looks_like_email(content):
        return EML
    if _looks_like_text(content):
        return TXT
    return None


def _looks_like_email(content: bytes) -> bool:
    head = content[:64 * 1024].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = [ln for ln in head.split(b"\n") if ln and ln[:1] not in (b" ", b"\t")]
    if not lines or not all(_HEADER_LINE.match(ln) for ln in lines):
        return False
    names = {ln.split(b":", 1)[0].strip().lower() for ln in lines}
    return len(names & set(_MAIL_HEADERS)) >= 2


def _looks_like_text(content: bytes) -> bool:
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ord(ch) not in _TEXT_CONTROL_OK for ch in decoded)


def clean_filename(filename: str) -> str:
    """The base name only (no directories), trimmed to 200 characters.

    Raises:
        EvidenceError: the name holds control characters (a NUL cannot be stored).
    """
    if any(ord(ch) < 32 for ch in filename):
        raise EvidenceError(f"file name {filename!r} contains control characters (such as NUL); "
                            "rename the file; nothing was stored")
    name = PurePath(filename.replace("\\", "/")).name.strip() or "evidence"
    return name[:200]


def validate(kind: str, filename: str, content: bytes, max_bytes: int) -> dict[str, Any]:
    """Check one file and return the column values to store.

    Raises:
        EvidenceError: unknown kind, empty, over ``max_bytes``, or a type not allowed for kind.
    """
    name = clean_filename(filename)
    if kind not in EVIDENCE_KINDS:
        raise EvidenceError(f"unknown evidence kind {kind!r}; expected one of: "
                            f"{', '.join(EVIDENCE_KINDS)}")
    if not content:
        raise EvidenceError(f"{name}: the file is empty; nothing was stored")
    if len(content) > max_bytes:
        raise EvidenceError(
            f"{name}: {len(content):,} bytes is over the evidence limit of {max_bytes:,} bytes; "
            "nothing was stored"
        )
    content_type = sniff_content_type(content)
    if content_type is None or content_type not in KIND_TYPES[kind]:
        found = content_type or "an unrecognised format"
        raise EvidenceError(
            f"{name}: content is {found}, not allowed as {kind} evidence (allowed: "
            f"{', '.join(KIND_TYPES[kind])}); nothing was stored"
        )
    return {
        "kind": kind,
        "filename": name,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }


def store(session: Session, upload: Upload, max_bytes: int, actor_name: str,
          transfer_id: int | None = None, run_id: int | None = None) -> EvidenceInfo:
    """Validate and insert one file inside the caller's transaction."""
    values = validate(upload.kind, upload.filename, upload.content, max_bytes)
    if transfer_id is not None:
        transfer_repo.get(session, transfer_id)  # NotFoundError before the FK error
    row = records.insert_evidence(
        session,
        {**values, "transfer_id": transfer_id, "run_id": run_id, "created_by_name": actor_name},
    )
    return mapping.evidence_info(row)


class EvidenceStore(Service):
    """Store and read evidence files.

    Args:
        bind, actor_name, role: see :class:`~app.services.base.Service`.
        max_bytes: the size limit (``settings.evidence_max_bytes``).
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(bind, actor_name, role)
        self.max_bytes = max_bytes

    def put(self, kind: str, filename: str, content: bytes, transfer_id: int | None = None,
            run_id: int | None = None) -> EvidenceInfo:
        """Validate and store one file.

        Raises:
            EvidenceError: empty, over the limit, or a type not allowed for ``kind``.
            NotFoundError: ``transfer_id`` does not exist.
        """
        validate(kind, filename, content, self.max_bytes)  # fail before opening a transaction
        with self.transaction() as session:
            return store(session, Upload(filename, content, kind), self.max_bytes,
                         self.actor_name, transfer_id, run_id)

    def info(self, evidence_id: int) -> EvidenceInfo:
        """Metadata of one file.

        Raises:
            NotFoundError: no such evidence.
        """
        with self.transaction() as session:
            row = records.get_evidence(session, evidence_id)
            if row is None:
                raise NotFoundError("evidence", evidence_id)
            return mapping.evidence_info(row)

    def for_transfer(self, transfer_id: int) -> list[EvidenceInfo]:
        """Metadata of every file linked to a transfer."""
        with self.transaction() as session:
            return [mapping.evidence_info(e) for e in records.evidence_for(session, transfer_id)]

    def read(self, evidence_id: int) -> tuple[EvidenceInfo, bytes]:
        """Metadata and content of one file, after checking its size and sha256.

        Raises:
            NotFoundError: no such evidence.
            EvidenceError: the stored bytes no longer match the hash recorded at write time.
        """
        with self.transaction() as session:
            return read_checked(session, evidence_id)


def read_checked(session: Session, evidence_id: int) -> tuple[EvidenceInfo, bytes]:
    """:meth:`EvidenceStore.read` inside the caller's transaction."""
    row = records.get_evidence(session, evidence_id, with_content=True)
    if row is None:
        raise NotFoundError("evidence", evidence_id)
    info = mapping.evidence_info(row)
    if row.content is None:
        raise EvidenceError(
            f"evidence {evidence_id} ({info.filename}) failed its integrity check: its "
            "content is missing (NULL); it was altered after it was stored")
    content = bytes(row.content)
    digest = hashlib.sha256(content).hexdigest()
    if digest != info.sha256 or len(content) != info.size:
        raise EvidenceError(
            f"evidence {evidence_id} ({info.filename}) failed its integrity check: "
            f"sha256 {digest[:12]}... does not match the recorded {info.sha256[:12]}...; "
            "it was altered after it was stored"
        )
    return info, content


def check_ids_exist(session: Session, ids: Sequence[int]) -> None:
    """Raise NotFoundError for the first evidence id that does not exist."""
    found = {e.id for e in records.evidence_by_ids(session, ids)}
    for evidence_id in ids:
        if evidence_id not in found:
            raise NotFoundError("evidence", evidence_id)
