"""Linking a notice by hand: one transaction, the message locked, all or nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import Engine, text

from app.domain.errors import DomainError
from app.mail.ingest import MailIngest
from app.services.mail_review import MailReviewService
from app.urls import UntrustedLinkError
from tests.integration.mail.conftest import mail_rows, transfer
from tests.unit import mail_samples as samples

ROUNDS = 50


def _ambiguous_notice(ingest: MailIngest, index: int, raw: bytes | None = None) -> int:
    raw = raw or samples.notice(message_id=f"race{index}@evenue.net", ref=f"TR-R{index}")
    result = ingest.ingest(raw, "box")
    assert result.status in ("ambiguous", "unmatched"), result.status
    assert result.mail_message_id is not None
    return result.mail_message_id


def test_two_staff_linking_one_notice_at_once_one_wins(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    review = MailReviewService(engine, "Dana")
    for index in range(ROUNDS):
        first, second = expect_transfer(), expect_transfer()
        notice_id = _ambiguous_notice(ingest, index)
        barrier = threading.Barrier(2)
        won: list[int] = []
        refused: list[BaseException] = []

        def link(transfer_id: int, notice_id: int = notice_id,
                 barrier: threading.Barrier = barrier, won: list[int] = won,
                 refused: list[BaseException] = refused) -> None:
            barrier.wait()
            try:
                review.link(notice_id, transfer_id)
                won.append(transfer_id)
            except DomainError as exc:
                refused.append(exc)

        threads = [threading.Thread(target=link, args=(t,)) for t in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(won) == 1 and len(refused) == 1, f"round {index}: {won} {refused}"
        assert "only unmatched or ambiguous" in str(refused[0])
        loser = second if won[0] == first else first
        assert transfer(engine, won[0])["status"] == "notice_received"
        assert transfer(engine, loser)["status"] == "awaiting_notice", f"round {index}"
        mail = next(m for m in mail_rows(engine) if m["id"] == notice_id)
        assert (mail["match_status"], mail["transfer_id"]) == ("matched", won[0])


def test_tampered_email_evidence_moves_nothing(
    engine: Engine, database_url: str, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    first, second = expect_transfer(), expect_transfer()
    notice_id = _ambiguous_notice(ingest, 0)
    (mail,) = mail_rows(engine)
    with psycopg.connect(database_url) as conn:
        conn.execute("SET LOCAL transferdesk.maintenance = 'on'")
        conn.execute("UPDATE evidence SET content = content || 'x'::bytea WHERE id = %s",
                     (mail["evidence_id"],))
    review = MailReviewService(engine, "Dana")
    with pytest.raises(DomainError, match="failed its integrity check"):
        review.link(notice_id, first)
    assert transfer(engine, first)["status"] == "awaiting_notice"
    (after,) = mail_rows(engine)
    assert (after["match_status"], after["transfer_id"]) == (mail["match_status"], None)
    with engine.connect() as conn:
        copies = conn.scalar(text("SELECT count(*) FROM evidence WHERE transfer_id IS NOT NULL"))
    assert copies == 0
    with pytest.raises(DomainError):  # and a retry to another transfer moves that one neither
        review.link(notice_id, second)
    assert transfer(engine, second)["status"] == "awaiting_notice"


@pytest.mark.parametrize("host", [
    "https://goducks-evenue.net.example",  # a look-alike
    "http://goducks.evenue.net",  # the right host without TLS
    "https://goducks.evenue.net:8443",  # another port
])
def test_link_off_the_accounts_site_is_refused(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int], host: str
) -> None:
    first, _ = expect_transfer(), expect_transfer()
    raw = samples.notice(message_id="lookalike@evenue.net").replace(
        b"https://goducks.evenue.net", host.encode())
    notice_id = _ambiguous_notice(ingest, 0, raw)
    with pytest.raises(UntrustedLinkError, match="not the account's site"):
        MailReviewService(engine, "Dana").link(notice_id, first)
    row = transfer(engine, first)
    assert (row["status"], row["accept_url"]) == ("awaiting_notice", None)
    (mail,) = mail_rows(engine)
    assert mail["match_status"] in ("ambiguous", "unmatched") and mail["transfer_id"] is None
