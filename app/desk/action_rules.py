"""Which triage commands the desk offers for the selected transfers, and why the others are off.

A pure function of the selected rows, what this desk knows (its identity, the clock, its own
runs) and the current transfer's detail once loaded: :func:`verdicts` answers every
:class:`Command` with a :class:`Verdict` whose ``note`` is the reason shown on a disabled
action ("claimed by desk-2 until 14:05", "no notice yet", "already verified", "no trace
recorded", "select a transfer"). The desk's toolbar, Transfer menu and context menu all read
it; nothing here knows about Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from app.domain.records import EvidenceInfo, TransferDetail, TransferRow
from app.domain.states import Status
from app.urls import link_problem

SELECT_ONE = "select a transfer"
SELECT_SOME = "select one or more transfers"
NO_NOTICE = "no notice yet"
LOADING = "loading the transfer's details…"
NO_TRACE = "no trace recorded"
NO_AUTOMATION = "browser automation is not available on this desk"
BATCH_RUNNING = "a batch is running on this desk (Esc aborts it)"
NEEDS_DECISION = "needs review: decide it by hand (Manual decision…)"
CLOSED: dict[Status, str] = {
    Status.VERIFIED: "already verified",
    Status.REJECTED: "already rejected",
    Status.EXPIRED: "expired",
}


class Command(StrEnum):
    """The triage commands of the toolbar, the Transfer menu and the queue's context menu."""

    ACCEPT = "accept"
    ACCEPT_SELECTED = "accept_selected"
    CLAIM = "claim"
    RELEASE = "release"
    DECIDE = "decide"
    OPEN_LINK = "open_link"
    COPY_REF = "copy_ref"
    OPEN_TRACE = "open_trace"


@dataclass(frozen=True)
class DeskState:
    """What this desk knows beside the rows.

    Attributes:
        desk_id: this desk's ``claimed_by`` identity.
        now: the current time (aware; its zone is the one times are shown in).
        automation: whether this desk can run the browser at all.
        running: transfers this desk's run panel is working on (a batch included).
    """

    desk_id: str
    now: datetime
    automation: bool = True
    running: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Selection:
    """The queue's selection: the current row, every selected row, the current row's detail
    (None until it is loaded) and each portal account's site URL (by account id)."""

    current: TransferRow | None
    selected: tuple[TransferRow, ...] = ()
    detail: TransferDetail | None = None
    site_urls: Mapping[int, str] = field(default_factory=dict)

    @property
    def current_detail(self) -> TransferDetail | None:
        """The detail, if it is the current row's (a stale one from the previous row is not)."""
        if self.current is None or self.detail is None:
            return None
        return self.detail if self.detail.transfer.row.id == self.current.id else None


@dataclass(frozen=True)
class Verdict:
    """Whether a command is offered; ``note`` says why not (disabled) or what it will do."""

    enabled: bool
    note: str = ""


def _clock(at: datetime, now: datetime) -> str:
    local = at.astimezone(now.tzinfo)
    return local.strftime("%H:%M" if local.date() == now.date() else "%a %d %b %H:%M")


def held_elsewhere(row: TransferRow, desk: DeskState) -> str | None:
    """"claimed by X until HH:MM" when another desk or worker holds ``row``, else None."""
    holder = row.claimed_by
    if row.status is not Status.ACCEPTING or holder is None or holder == desk.desk_id:
        return None
    if row.lease_until is None:
        return f"claimed by {holder}"
    if row.lease_until > desk.now:
        return f"claimed by {holder} until {_clock(row.lease_until, desk.now)}"
    return (f"claimed by {holder} (the lease ran out at {_clock(row.lease_until, desk.now)}; "
            "it returns to the queue shortly)")


def _mine(row: TransferRow, desk: DeskState) -> bool:
    return row.status is Status.ACCEPTING and row.claimed_by == desk.desk_id


def why_not_claimable(row: TransferRow, desk: DeskState) -> str | None:
    """Why this desk cannot claim ``row`` now (None: it can)."""
    if row.status in CLOSED:
        return CLOSED[row.status]
    if row.status is Status.AWAITING_NOTICE:
        return NO_NOTICE
    if row.status is Status.NEEDS_REVIEW:
        return NEEDS_DECISION
    if (elsewhere := held_elsewhere(row, desk)) is not None:
        return elsewhere
    if _mine(row, desk):
        return ("being accepted on this desk" if row.id in desk.running
                else "already claimed by this desk")
    return None


def why_not_acceptable(row: TransferRow, desk: DeskState) -> str | None:
    """Why this desk cannot start a browser run for ``row`` now (None: it can)."""
    problem = why_not_claimable(row, desk)
    if problem == "already claimed by this desk":
        return "claimed by this desk: release it to accept in the browser"
    if problem is None and not desk.automation:
        return NO_AUTOMATION
    if problem is None and desk.running:
        return BATCH_RUNNING
    return problem


def accept_targets(rows: Sequence[TransferRow], desk: DeskState) -> list[TransferRow]:
    """The rows of a batch accept that can run (in the given order)."""
    return [row for row in rows if why_not_acceptable(row, desk) is None]


def latest_trace(detail: TransferDetail) -> EvidenceInfo | None:
    """The newest trace recorded for the transfer (each run's trace is evidence of kind trace)."""
    traces = [ev for ev in detail.evidence if ev.kind == "trace"]
    return max(traces, key=lambda ev: (ev.created_at, ev.id)) if traces else None


def trusted_accept_link(selection: Selection) -> str | None:
    """The current transfer's accept link if it is on its account's site, else None."""
    verdict = _open_link(selection)
    detail = selection.current_detail
    return detail.transfer.accept_url if verdict.enabled and detail is not None else None


def _accept(selection: Selection, desk: DeskState) -> Verdict:
    if selection.current is None:
        return Verdict(False, SELECT_ONE)
    problem = why_not_acceptable(selection.current, desk)
    return Verdict(problem is None, problem or f"run the browser for {selection.current.order_ref}")


def _accept_selected(selection: Selection, desk: DeskState) -> Verdict:
    rows = selection.selected
    if not rows:
        return Verdict(False, SELECT_SOME)
    targets = accept_targets(rows, desk)
    if targets:
        skipped = len(rows) - len(targets)
        tail = f" ({skipped} skipped)" if skipped else ""
        return Verdict(True, f"accept {len(targets)} of {len(rows)} selected{tail}")
    reasons = {why_not_acceptable(row, desk) or "" for row in rows}
    reason = next(iter(reasons)) if len(reasons) == 1 else "none of them can be accepted now"
    return Verdict(False, reason if len(rows) == 1 else f"{len(rows)} selected: {reason}")


def _claim(selection: Selection, desk: DeskState) -> Verdict:
    if selection.current is None:
        return Verdict(False, SELECT_ONE)
    problem = why_not_claimable(selection.current, desk)
    return Verdict(problem is None, problem or f"hold {selection.current.order_ref} for this desk")


def _release(selection: Selection, desk: DeskState) -> Verdict:
    row = selection.current
    if row is None:
        return Verdict(False, SELECT_ONE)
    if _mine(row, desk):
        if row.id in desk.running:
            return Verdict(False, "a run of this desk is using it (Esc aborts the run)")
        return Verdict(True, f"give {row.order_ref} back to the queue")
    if (elsewhere := held_elsewhere(row, desk)) is not None:
        return Verdict(False, f"{elsewhere}: only the holder can release it")
    return Verdict(False, "not claimed")


def _decide(selection: Selection, desk: DeskState) -> Verdict:
    row = selection.current
    if row is None:
        return Verdict(False, SELECT_ONE)
    if row.status in CLOSED:
        return Verdict(False, CLOSED[row.status])
    if row.id in desk.running:
        return Verdict(False, "being accepted on this desk (wait, or Esc aborts the run)")
    return Verdict(True, f"verify or reject {row.order_ref} with evidence")


def _open_link(selection: Selection) -> Verdict:
    row = selection.current
    if row is None:
        return Verdict(False, SELECT_ONE)
    if row.status in CLOSED:
        return Verdict(False, CLOSED[row.status])
    detail = selection.current_detail
    if detail is None:
        return Verdict(False, LOADING)
    url = detail.transfer.accept_url
    if not url:
        return Verdict(False, NO_NOTICE if row.status is Status.AWAITING_NOTICE
                       else "the notice carried no accept link")
    site = selection.site_urls.get(row.account_id) if row.account_id is not None else None
    problem = link_problem(url, site)
    if problem is not None:
        return Verdict(False, f"untrusted link: {problem}")
    return Verdict(True, f"open the accept link on {urlsplit(url).hostname} in your browser")


def _copy_ref(selection: Selection) -> Verdict:
    if selection.current is None:
        return Verdict(False, SELECT_ONE)
    return Verdict(True, f"copy {selection.current.order_ref} to the clipboard")


def _open_trace(selection: Selection) -> Verdict:
    if selection.current is None:
        return Verdict(False, SELECT_ONE)
    detail = selection.current_detail
    if detail is None:
        return Verdict(False, LOADING)
    trace = latest_trace(detail)
    if trace is None:
        return Verdict(False, NO_TRACE)
    return Verdict(True, f"open {trace.filename} in the trace viewer")


def verdicts(selection: Selection, desk: DeskState) -> dict[Command, Verdict]:
    """Every command's verdict for this selection on this desk at ``desk.now``."""
    return {
        Command.ACCEPT: _accept(selection, desk),
        Command.ACCEPT_SELECTED: _accept_selected(selection, desk),
        Command.CLAIM: _claim(selection, desk),
        Command.RELEASE: _release(selection, desk),
        Command.DECIDE: _decide(selection, desk),
        Command.OPEN_LINK: _open_link(selection),
        Command.COPY_REF: _copy_ref(selection),
        Command.OPEN_TRACE: _open_trace(selection),
    }
