"""Evidence store: type from content, limits, sha256 checked on read, nothing half-stored."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from app.domain.errors import EvidenceError, NotFoundError
from app.evidence import sniff_content_type
from tests.integration.domain.conftest import PNG

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\n"
ZIP = b"PK\x03\x04" + b"\x00" * 40
EML = (b"From: Tickets <noreply@paciolan.example>\r\nTo: desk@example.com\r\n"
       b"Subject: You have tickets waiting\r\nMessage-ID: <1@x>\r\n\r\nAccept by Friday.\r\n")


@pytest.mark.parametrize(("content", "expected"), [
    (PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf"),
    (ZIP, "application/zip"), (EML, "message/rfc822"), ("Notes: café\n".encode(), "text/plain"),
    (b"MZ\x90\x00\x03\x00\x00\x00", None), (b"\x00\x01\x02binary", None),
])
def test_type_is_sniffed_from_content(content, expected):
    assert sniff_content_type(content) == expected


def count_evidence(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM evidence")).scalar_one()


def test_round_trip_with_hash(evidence, make_transfer):
    t = make_transfer()
    info = evidence.put("email", "../../notice.eml", EML, transfer_id=t.row.id)
    assert info.filename == "notice.eml" and info.content_type == "message/rfc822"
    assert info.size == len(EML) and len(info.sha256) == 64
    assert info.created_by == "transferdesk" and info.created_by_name == "Dana (desk 3)"
    read_info, content = evidence.read(info.id)
    assert content == EML and read_info == info
    assert [e.id for e in evidence.for_transfer(t.row.id)] == [info.id]


@pytest.mark.parametrize(("kind", "name", "content", "message"), [
    ("upload", "empty.png", b"", "empty"),
    ("upload", "big.txt", b"a" * 1025, "over the evidence limit of 1,024"),
    ("upload", "evil.png", b"MZ\x90\x00 pretend png", "unrecognised format"),
    ("screenshot", "trace.png", ZIP, "application/zip, not allowed as screenshot"),
    ("trace", "trace.zip", PNG, "not allowed as trace"),
    ("video", "x.png", PNG, "unknown evidence kind"),
])
def test_refused_files_store_nothing(engine, evidence, make_transfer, kind, name, content,
                                     message):
    t = make_transfer()
    with pytest.raises(EvidenceError, match=message):
        evidence.put(kind, name, content, transfer_id=t.row.id)
    assert count_evidence(engine) == 0


def test_unknown_transfer_is_refused(engine, evidence):
    with pytest.raises(NotFoundError):
        evidence.put("upload", "a.png", PNG, transfer_id=424242)
    assert count_evidence(engine) == 0


def test_tampering_is_detected_on_read(database_url, evidence, make_transfer):
    info = evidence.put("upload", "proof.pdf", PDF, transfer_id=make_transfer().row.id)
    with psycopg.connect(database_url) as conn:  # an attacker with the owner's maintenance switch
        conn.execute("SET LOCAL transferdesk.maintenance = 'on'")
        conn.execute("UPDATE evidence SET content = %s WHERE id = %s", (PDF + b"x", info.id))
    with pytest.raises(EvidenceError, match="failed its integrity check"):
        evidence.read(info.id)


def test_missing_evidence(evidence):
    with pytest.raises(NotFoundError):
        evidence.read(999)
