"""The timeline's sentences: one for every audit action the code writes, never None or an
internal name, and the wording of runs, emails, evidence, seats, money and durations."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.records import (
    AuditEntry,
    EvidenceInfo,
    MailMessageInfo,
    RunRecord,
    TransferFull,
    TransferRow,
)
from app.domain.states import Outcome, Status
from app.timeline_text import (
    AUDIT_SENTENCES,
    describe_audit,
    describe_email,
    describe_evidence,
    describe_run,
    timeline_items,
)
from app.timeline_words import OUTCOME_PHRASES, duration, money, seat_phrase, who_ran
from tests.unit.audit_actions import written_actions

AT = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
ROW = TransferRow(
    id=7, version=3, order_ref="ORD-1", platform="paciolan", account_id=1,
    seller_name="Kelly Marsh", seller_email="kelly@example.com", event_name="Aggies vs. LSU",
    venue="Kyle Field", event_starts_at=None, section="1A", row="12", seats=("7", "8"),
    quantity=2, status=Status.VERIFIED, accept_by=None, hold_expires_at=None, due_at=None,
    claimed_by=None, lease_until=None, attempts=1, next_attempt_at=None, last_outcome=None,
    escrow_status="captured", amount=12000, currency="usd", updated_at=AT)
TRANSFER = TransferFull(
    row=ROW, accept_url=None, transfer_ref="abc", notice_received_at=AT, claimed_at=None,
    verified_at=AT, verified_by="Ana", method="manual", decision_note="seen",
    payment_intent_id=None, amount_to_capture=None, escrow_error=None, escrow_attempts=0,
    escrow_next_attempt_at=None, escrow_updated_at=None, created_at=AT)
#: Internal names a sentence must never show (actions with underscores, outcome values).
_INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b")


def audit(action: str, detail: dict[str, Any] | None = None, name: str = "Ana",
          from_status: str | None = "notice_received", to_status: str | None = "verified"
          ) -> AuditEntry:
    return AuditEntry(1, AT, "ana_login", "transferdesk_staff", name, 7, action, from_status,
                      to_status, detail or {})


def test_every_action_written_in_the_code_has_a_sentence() -> None:
    sites = written_actions()
    computed = [f"{s.path}:{s.line} ({s.function})" for s in sites if s.actions is None]
    assert not computed, f"audit actions computed at run time, add them to DYNAMIC_SITES: " \
                         f"{computed}"
    written = {a for s in sites for a in s.actions or ()}
    assert {"claim", "manual_verify", "escrow_captured", "direct_update",
            "mail_template_saved", "resume_site"} <= written  # the scan sees every kind of site
    missing = sorted(written - set(AUDIT_SENTENCES))
    assert not missing, f"audit actions with no timeline sentence: {missing}"


@pytest.mark.parametrize("action", sorted(AUDIT_SENTENCES))
def test_no_sentence_shows_none_or_an_internal_name(action: str) -> None:
    for detail in ({}, {"worker": "vm-2:41:ab", "outcome": "portal_error", "attempt": 2,
                        "note": "ok", "reason": "stop", "seconds": 5, "outcome_": None}):
        text = describe_audit(audit(action, detail), TRANSFER)
        assert text and "None" not in text and action not in text
        assert not _INTERNAL.search(text.replace("vm-2:41:ab", "")), text


def test_sentences_people_read() -> None:
    assert describe_audit(audit("notice_matched", {"transfer_ref": None}), TRANSFER) == \
        "Notice matched: Kelly Marsh, Sec 1A Row 12, seats 7–8"
    assert describe_audit(audit("claim", {"worker": "desk:desk-2:991", "attempt": 1}),
                          TRANSFER) == "Claimed by the desk on desk-2"
    assert describe_audit(audit("manual_verify", {"note": "seen in\nMy Account"}), TRANSFER) \
        == "Manual decision: verified by Ana (note: seen in My Account)"
    assert describe_audit(audit("escrow_captured", {"amount_captured": 12000}), TRANSFER) == \
        "Hold captured ($120.00)"
    assert describe_audit(audit("run_retry", {"outcome": "timeout", "attempt": 2}),
                          TRANSFER) == "Will try again: timed out (attempt 2)"
    assert describe_audit(audit("takeover", {"who": "Ana", "seconds": 95,
                                             "outcome": "handed_back"}), TRANSFER) == \
        "Ana took over the browser for 1 min 35 s and handed it back"
    assert describe_audit(audit("escrow_hold_checked", {"escrow_from": "held",
                                                        "escrow_to": "lapsed"}), TRANSFER) \
        == "Hold checked with Stripe: the hold went from held to lapsed before capture"
    assert describe_audit(audit("create", {"import_line": 4}, name=""), TRANSFER) == \
        "Order added by ana_login (import line 4)"


def test_an_unknown_action_still_reads() -> None:
    text = describe_audit(audit("supervisor_pinned_note", to_status="needs_review"), TRANSFER)
    assert text == "Supervisor pinned note recorded by Ana: now review"


def test_run_sentences() -> None:
    run = RunRecord(3, 7, "vm-2:4121:ab12cd", 1, AT, AT + timedelta(seconds=4.1), "accepted",
                    "", None)
    assert describe_run(run) == "Accepted by the worker on vm-2 in 4.1 s"
    assert describe_run(replace(run, finished_at=None, outcome=None)) == \
        "Attempt 1 in progress on the worker on vm-2"
    assert describe_run(replace(run, outcome=None, detail="released: stopping")) == \
        "Attempt 1 on the worker on vm-2 ended without a result (released: stopping), " \
        "after 4.1 s"
    for outcome in Outcome:
        text = describe_run(replace(run, outcome=outcome.value))
        assert outcome.value not in text.split() and text.startswith(OUTCOME_PHRASES[outcome])


def test_email_and_evidence_sentences() -> None:
    mail = MailMessageInfo(5, "k", "box", "INBOX", 9, "", "", None, "notice", "matched", 1.0,
                           7, None, None)
    assert describe_email(mail) == "Email from an unknown sender (no subject)"
    assert describe_email(replace(mail, from_addr="no-reply@paciolan.com",
                                  subject="Tickets waiting")) == \
        "Email from no-reply@paciolan.com: “Tickets waiting”"
    shot = EvidenceInfo(8, "screenshot", "my-account.png", "image/png", 12_500, "h", 7, None,
                        "ana_login", "Ana", AT)
    assert describe_evidence(shot) == "Screenshot my-account.png (12 KB) added by Ana"


def test_timeline_items_are_ordered_and_keep_their_kinds() -> None:
    run = RunRecord(3, 7, "bot-1", 1, AT + timedelta(minutes=1), AT + timedelta(minutes=2),
                    "accepted", "", None)
    items = timeline_items(TRANSFER, [run], [], [], [audit("run_verified",
                                                           {"outcome": "accepted"})])
    assert [i.kind for i in items] == ["audit", "run"]
    assert items[0].summary == "Verified by automation: accepted"
    assert items[1].summary == "Accepted by bot-1 in 1 min"


@pytest.mark.parametrize(("seconds", "text"), [(4.14, "4.1 s"), (125, "2 min 5 s"),
                                               (4800, "1 h 20 min"), (3 * 86400, "3 d")])
def test_durations(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_words() -> None:
    assert money(12000, "usd") == "$120.00" and money(500, "chf") == "5.00 CHF"
    assert seat_phrase("", "", ("3", "5")) == "seats 3, 5"
    assert seat_phrase("101", "", ("9",)) == "Sec 101, seat 9"
    assert who_ran("worker-1") == "worker-1"
