"""app.desk.action_rules: each triage command's verdict, and every reason a command is off."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.desk.action_rules import (
    Command,
    DeskState,
    Selection,
    Verdict,
    accept_targets,
    latest_trace,
    trusted_accept_link,
    verdicts,
)
from app.domain.records import (
    EvidenceInfo,
    RunRecord,
    TransferDetail,
    TransferFull,
    TransferRow,
)
from app.domain.states import EscrowStatus, Status

NOW = datetime(2026, 12, 1, 13, 50, tzinfo=UTC)
ME = "desk:box-3:4242"
DESK = DeskState(ME, NOW)
SITE = "https://tickets.example.edu"


def row(status: Status = Status.NOTICE_RECEIVED, id: int = 1, **changes: object) -> TransferRow:
    base = TransferRow(
        id=id, version=1, order_ref=f"ORD-{id}", platform="paciolan", account_id=7,
        seller_name="Kelly Marsh", seller_email="k@example.com", event_name="Game",
        venue="Stadium", event_starts_at=None, section="1A", row="12", seats=("7", "8"),
        quantity=2, status=status, accept_by=None, hold_expires_at=None, due_at=None,
        claimed_by=None, lease_until=None, attempts=0, next_attempt_at=None, last_outcome=None,
        escrow_status=EscrowStatus.HELD, amount=1000, currency="usd", updated_at=NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


def detail(of: TransferRow, accept_url: str | None = f"{SITE}/transfer/accept?t=secret",
           traces: tuple[int, ...] = ()) -> TransferDetail:
    full = TransferFull(
        row=of, accept_url=accept_url, transfer_ref=None, notice_received_at=None,
        claimed_at=None, verified_at=None, verified_by=None, method=None, decision_note=None,
        payment_intent_id=None, amount_to_capture=None, escrow_error=None, escrow_attempts=0,
        escrow_next_attempt_at=None, escrow_updated_at=None, created_at=NOW)
    runs = tuple(RunRecord(id=i, transfer_id=of.id, worker=ME, attempt=i,
                           started_at=NOW - timedelta(hours=5 - i), finished_at=None,
                           outcome=None, detail="", trace_evidence_id=100 + i)
                 for i in traces)
    evidence = tuple(EvidenceInfo(id=100 + i, kind="trace", filename=f"run-{i}.zip",
                                  content_type="application/zip", size=10, sha256="0",
                                  transfer_id=of.id, run_id=i, created_by="bot",
                                  created_by_name="", created_at=NOW + timedelta(minutes=i))
                     for i in traces)
    shot = EvidenceInfo(id=900, kind="screenshot", filename="late.png", content_type="image/png",
                        size=10, sha256="0", transfer_id=of.id, run_id=None, created_by="bot",
                        created_by_name="", created_at=NOW + timedelta(hours=9))
    evidence = (*evidence, shot)
    return TransferDetail(full, runs, (), evidence, (), ())


def selection(current: TransferRow | None, *others: TransferRow,
              loaded: TransferDetail | None = None) -> Selection:
    chosen = (current, *others) if current is not None else others
    return Selection(current, chosen, loaded, {7: SITE})


def reason(command: Command, sel: Selection, desk: DeskState = DESK) -> str:
    verdict = verdicts(sel, desk)[command]
    assert not verdict.enabled, verdict
    return verdict.note


def test_nothing_selected_asks_for_a_selection() -> None:
    sel = Selection(None)
    for command in Command:
        expected = ("select one or more transfers" if command is Command.ACCEPT_SELECTED
                    else "select a transfer")
        assert reason(command, sel) == expected


def test_a_transfer_with_its_notice_can_be_accepted_claimed_decided_and_copied() -> None:
    ready = row()
    got = verdicts(selection(ready, loaded=detail(ready)), DESK)
    for command in (Command.ACCEPT, Command.ACCEPT_SELECTED, Command.CLAIM, Command.DECIDE,
                    Command.OPEN_LINK, Command.COPY_REF):
        assert got[command].enabled, command
    assert got[Command.COPY_REF].note == "copy ORD-1 to the clipboard"
    assert got[Command.OPEN_LINK].note == (
        "open the accept link on tickets.example.edu in your browser")  # never the token
    assert got[Command.RELEASE] == Verdict(False, "not claimed")


def test_claimed_by_another_desk_says_who_and_until_when() -> None:
    held = row(Status.ACCEPTING, claimed_by="desk-2", lease_until=NOW + timedelta(minutes=15))
    sel = selection(held)
    assert reason(Command.ACCEPT, sel) == "claimed by desk-2 until 14:05"
    assert reason(Command.CLAIM, sel) == "claimed by desk-2 until 14:05"
    assert reason(Command.RELEASE, sel) == (
        "claimed by desk-2 until 14:05: only the holder can release it")
    tomorrow = replace(held, lease_until=NOW + timedelta(days=1))
    assert reason(Command.CLAIM, selection(tomorrow)) == "claimed by desk-2 until Wed 02 Dec 13:50"
    lapsed = replace(held, lease_until=NOW - timedelta(minutes=1))
    assert reason(Command.CLAIM, selection(lapsed)).startswith(
        "claimed by desk-2 (the lease ran out at 13:49")


def test_times_are_shown_in_the_clock_of_now() -> None:
    held = row(Status.ACCEPTING, claimed_by="desk-2", lease_until=NOW + timedelta(minutes=15))
    local = DeskState(ME, NOW.astimezone(timezone(timedelta(hours=-5))))
    assert reason(Command.CLAIM, selection(held), local) == "claimed by desk-2 until 09:05"


def test_no_notice_yet() -> None:
    waiting = row(Status.AWAITING_NOTICE)
    sel = selection(waiting, loaded=detail(waiting, accept_url=None))
    for command in (Command.ACCEPT, Command.ACCEPT_SELECTED, Command.CLAIM, Command.OPEN_LINK):
        assert reason(command, sel) == "no notice yet"
    assert verdicts(sel, DESK)[Command.DECIDE].enabled  # a person may still decide


@pytest.mark.parametrize(("status", "text"), [
    (Status.VERIFIED, "already verified"), (Status.REJECTED, "already rejected"),
    (Status.EXPIRED, "expired"),
])
def test_closed_transfers(status: Status, text: str) -> None:
    closed = row(status)
    sel = selection(closed, loaded=detail(closed))
    for command in (Command.ACCEPT, Command.CLAIM, Command.DECIDE, Command.OPEN_LINK):
        assert reason(command, sel) == text
    assert verdicts(sel, DESK)[Command.COPY_REF].enabled


def test_needs_review_goes_to_a_manual_decision() -> None:
    review = row(Status.NEEDS_REVIEW)
    assert "Manual decision" in reason(Command.ACCEPT, selection(review))
    assert verdicts(selection(review), DESK)[Command.DECIDE].enabled


def test_this_desks_own_claim() -> None:
    mine = row(Status.ACCEPTING, claimed_by=ME, lease_until=NOW + timedelta(minutes=5))
    sel = selection(mine)
    assert verdicts(sel, DESK)[Command.RELEASE].enabled
    assert reason(Command.CLAIM, sel) == "already claimed by this desk"
    assert reason(Command.ACCEPT, sel) == (
        "claimed by this desk: release it to accept in the browser")
    running = DeskState(ME, NOW, running=frozenset({mine.id}))
    assert reason(Command.RELEASE, sel, running).startswith("a run of this desk is using it")
    assert reason(Command.DECIDE, sel, running).startswith("being accepted on this desk")


def test_a_running_batch_or_no_automation_stops_new_runs() -> None:
    ready = row(id=2)
    busy = DeskState(ME, NOW, running=frozenset({1}))
    assert reason(Command.ACCEPT, selection(ready), busy).startswith("a batch is running")
    assert verdicts(selection(ready), busy)[Command.CLAIM].enabled
    none = DeskState(ME, NOW, automation=False)
    assert reason(Command.ACCEPT, selection(ready), none) == (
        "browser automation is not available on this desk")


def test_accept_selected_runs_only_the_acceptable_rows() -> None:
    rows = (row(id=1), row(Status.AWAITING_NOTICE, id=2), row(id=3), row(Status.VERIFIED, id=4))
    sel = Selection(rows[0], rows)
    verdict = verdicts(sel, DESK)[Command.ACCEPT_SELECTED]
    assert verdict.enabled and verdict.note == "accept 2 of 4 selected (2 skipped)"
    assert [r.id for r in accept_targets(rows, DESK)] == [1, 3]
    waiting = (row(Status.AWAITING_NOTICE, id=5), row(Status.AWAITING_NOTICE, id=6))
    assert reason(Command.ACCEPT_SELECTED, Selection(waiting[0], waiting)) == (
        "2 selected: no notice yet")
    mixed = (waiting[0], rows[3])
    assert reason(Command.ACCEPT_SELECTED, Selection(mixed[0], mixed)) == (
        "2 selected: none of them can be accepted now")


def test_the_accept_link_needs_the_detail_and_the_accounts_site() -> None:
    ready = row()
    assert reason(Command.OPEN_LINK, selection(ready)) == "loading the transfer's details…"
    stale = detail(row(id=99))  # the previous transfer's detail is still shown
    assert reason(Command.OPEN_LINK, selection(ready, loaded=stale)).startswith("loading")
    no_link = detail(ready, accept_url=None)
    assert reason(Command.OPEN_LINK, selection(ready, loaded=no_link)) == (
        "the notice carried no accept link")
    phishing = detail(ready, accept_url="https://tickets.example.edu.evil.example/accept?t=x")
    text = reason(Command.OPEN_LINK, selection(ready, loaded=phishing))
    assert text.startswith("untrusted link: https://tickets.example.edu.evil.example:443 is not")
    assert "t=x" not in text
    orphan = replace(ready, account_id=None)
    assert "no portal account" in reason(Command.OPEN_LINK,
                                         selection(orphan, loaded=detail(orphan)))
    good = detail(ready)
    assert trusted_accept_link(selection(ready, loaded=good)) == good.transfer.accept_url
    assert trusted_accept_link(selection(ready, loaded=phishing)) is None


def test_open_trace_uses_the_newest_trace() -> None:
    ready = row()
    assert reason(Command.OPEN_TRACE, selection(ready)) == "loading the transfer's details…"
    assert reason(Command.OPEN_TRACE, selection(ready, loaded=detail(ready))) == (
        "no trace recorded")
    traced = detail(ready, traces=(1, 3, 2))
    verdict = verdicts(selection(ready, loaded=traced), DESK)[Command.OPEN_TRACE]
    assert verdict.enabled and verdict.note == "open run-3.zip in the trace viewer"
    found = latest_trace(traced)
    assert found is not None and found.id == 103
