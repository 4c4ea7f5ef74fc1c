"""The sandbox portal's notice emails read completely: the demo chain depends on it."""

from __future__ import annotations

from datetime import UTC, datetime

from app.mail.parser import TRANSFER_NOTICE, VERIFICATION_CODE, parse_message
from automation.sandbox.notices import (
    TransferNotice,
    build_transfer_notice,
    build_verification_email,
)


def test_sandbox_transfer_notice_yields_every_key_field() -> None:
    notice = TransferNotice(
        transfer_ref="TR-1234", accept_url="https://127.0.0.1:9/transfers/TR-1234/accept?t=x",
        site_name="Sandbox State", recipient_email="desk@market.example", recipient_name="Desk",
        sender_name="Jane Ñoño", sender_email="jane@example.com", event_name="Football vs. Rival",
        event_starts_at=datetime(2026, 11, 28, 19, 30, tzinfo=UTC), venue="Big Stadium",
        section="104", row="22", seats=("5", "6", "7"),
        expires_at=datetime(2026, 11, 26, 19, 30, tzinfo=UTC),
        sent_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    )
    parsed = parse_message(build_transfer_notice(notice))
    assert parsed.kind == TRANSFER_NOTICE and parsed.missing == ()
    assert (parsed.sender_name, parsed.sender_email) == ("Jane Ñoño", "jane@example.com")
    assert (parsed.section, parsed.row, parsed.seats) == ("104", "22", ("5", "6", "7"))
    assert parsed.accept_url == notice.accept_url and parsed.transfer_ref == "TR-1234"
    assert parsed.event_starts_at == notice.event_starts_at
    assert parsed.expires_at == notice.expires_at


def test_sandbox_verification_code() -> None:
    raw = build_verification_email("desk@market.example", "904112", "Sandbox State",
                                   datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    parsed = parse_message(raw)
    assert (parsed.kind, parsed.code) == (VERIFICATION_CODE, "904112")
