"""A transfer's timeline as sentences people read ("Claimed by the worker on vm-2").

Owns the wording of every timeline line: audit rows (one sentence per audit action the code
writes, :data:`AUDIT_SENTENCES`, with a readable fallback for an unknown one), runs, emails and
evidence. Pure functions over the core's frozen records; never ``None``, never an internal
action or outcome name. :func:`timeline_items` merges them, oldest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from app.domain.records import (
    AuditEntry,
    EvidenceInfo,
    MailMessageInfo,
    RunRecord,
    TimelineItem,
    TransferFull,
)
from app.domain.states import EscrowStatus, Outcome
from app.timeline_words import (
    ESCROW_WORDS,
    OUTCOME_PHRASES,
    STATUS_WORDS,
    duration,
    money,
    note_part,
    seat_phrase,
    who_ran,
)

__all__ = ["AUDIT_SENTENCES", "describe_audit", "describe_email", "describe_evidence",
           "describe_run", "timeline_items"]

Sentence = Callable[[AuditEntry, TransferFull], str]


def _who(entry: AuditEntry) -> str:
    return entry.actor_name or entry.actor or "someone"


def _d(entry: AuditEntry, key: str, default: str = "") -> str:
    value = entry.detail.get(key)
    return default if value is None or value == "" else str(value)


def _outcome(entry: AuditEntry) -> str:
    raw = _d(entry, "outcome")
    try:
        return OUTCOME_PHRASES[Outcome(raw)]
    except ValueError:
        return raw.replace("_", " ") or "no outcome"


def _to(entry: AuditEntry) -> str:
    return STATUS_WORDS.get(entry.to_status or "", "the queue")


def _notice(entry: AuditEntry, t: TransferFull) -> str:
    row = t.row
    parts = [row.seller_name or "unknown seller", seat_phrase(row.section, row.row, row.seats)]
    ref = f" (portal ref {entry.detail['transfer_ref']})" if entry.detail.get("transfer_ref") \
        else ""
    return "Notice matched: " + ", ".join(p for p in parts if p) + ref


def _create(entry: AuditEntry, t: TransferFull) -> str:
    if "import_line" in entry.detail:
        return f"Order added by {_who(entry)} (import line {entry.detail['import_line']})"
    if entry.detail.get("demo_rows"):
        return f"{entry.detail['demo_rows']} demo orders added"
    if "inbox_id" in entry.detail:
        return f"Order added by {_who(entry)} from the marketplace's order inbox"
    if "line" in entry.detail:
        return f"Order added by {_who(entry)} (import line {entry.detail['line']})"
    return f"Order added by {_who(entry)}"


def _claim(entry: AuditEntry, t: TransferFull) -> str:
    attempt = _d(entry, "attempt")
    again = f" (attempt {attempt})" if attempt not in ("", "1") else ""
    return f"Claimed by {who_ran(_d(entry, 'worker', _who(entry)))}{again}"


def _release(entry: AuditEntry, t: TransferFull) -> str:
    reason = _d(entry, "reason")
    return (f"Released by {who_ran(_d(entry, 'worker', _who(entry)))}"
            + (f": {reason}" if reason else " without a result"))


def _lease_expired(entry: AuditEntry, t: TransferFull) -> str:
    return (f"{_upper_first(who_ran(_d(entry, 'worker', 'the claimer')))} stopped answering; "
            f"its claim lapsed and the transfer went back to {_to(entry)}")


def _run_retry(entry: AuditEntry, t: TransferFull) -> str:
    return f"Will try again: {_outcome(entry).lower()} (attempt {_d(entry, 'attempt', '?')})"


def _run_verified(entry: AuditEntry, t: TransferFull) -> str:
    return f"Verified by automation: {_outcome(entry).lower()}"


def _run_needs_review(entry: AuditEntry, t: TransferFull) -> str:
    detail = _d(entry, "detail")
    return f"Needs review: {_outcome(entry).lower()}" + (f" ({detail})" if detail else "")


def _decision(verdict: str) -> Sentence:
    return lambda e, t: f"Manual decision: {verdict} by {_who(e)}{note_part(_d(e, 'note'))}"


def _expire(entry: AuditEntry, t: TransferFull) -> str:
    return "Expired: the accept window or the buyer's hold lapsed before a decision"


def _reopen(entry: AuditEntry, t: TransferFull) -> str:
    return f"Reopened by {_who(entry)}{note_part(_d(entry, 'note'))}"


def _reassign(entry: AuditEntry, t: TransferFull) -> str:
    return (f"Moved from portal account #{_d(entry, 'from_account', '?')} to "
            f"#{_d(entry, 'to_account', '?')} by {_who(entry)}{note_part(_d(entry, 'note'))}")


def _takeover(entry: AuditEntry, t: TransferFull) -> str:
    seconds = entry.detail.get("seconds")
    took = f" for {duration(float(seconds))}" if isinstance(seconds, int | float) else ""
    ended = ("handed it back" if entry.detail.get("outcome") == "handed_back"
             else "gave up")
    return f"{_d(entry, 'who', _who(entry))} took over the browser{took} and {ended}"


def _order_updated(entry: AuditEntry, t: TransferFull) -> str:
    changed = entry.detail.get("changed")
    names = ", ".join(sorted(changed)).replace("_", " ") if isinstance(changed, dict) else ""
    return "The marketplace changed the order" + (f": {names}" if names else "")


def _escrow_result(words: str) -> Sentence:
    def sentence(e: AuditEntry, t: TransferFull) -> str:
        amount = e.detail.get("amount_captured", e.detail.get("amount", t.row.amount))
        shown = f" ({money(amount, t.row.currency)})" if isinstance(amount, int) else ""
        error = _d(e, "error")
        return f"{words}{shown}" + (f": {error}" if error else "")
    return sentence


def _escrow_checked(words: str) -> Sentence:
    def sentence(e: AuditEntry, t: TransferFull) -> str:
        before = ESCROW_WORDS.get(_d(e, "escrow_from"), "unknown")
        after = ESCROW_WORDS.get(_d(e, "escrow_to"), "unknown")
        return f"{words}: the hold went from {before} to {after}"
    return sentence


def _simple(text: str) -> Sentence:
    return lambda e, t: text.format_map({**{k: str(v) for k, v in e.detail.items()},
                                         "who": _who(e)})


#: One sentence per audit action written anywhere in app/ or automation/ (a test checks it).
AUDIT_SENTENCES: Mapping[str, Sentence] = {
    "create": _create,
    "notice_matched": _notice,
    "notice_cancelled": _simple("The portal's email says the sender cancelled the transfer"),
    "claim": _claim,
    "release": _release,
    "lease_expired": _lease_expired,
    "run_retry": _run_retry,
    "run_verified": _run_verified,
    "run_needs_review": _run_needs_review,
    "manual_verify": _decision("verified"),
    "manual_reject": _decision("rejected"),
    "expire": _expire,
    "reopen": _reopen,
    "reassign": _reassign,
    "takeover": _takeover,
    "order_updated": _order_updated,
    "order_cancelled": lambda e, t: "The marketplace withdrew the order"
                                    + note_part(_d(e, "reason")),
    "direct_insert": _simple("Added directly in the database, outside TransferDesk"),
    "direct_update": _simple("Changed directly in the database, outside TransferDesk"),
    "resume_site": _simple("Automation of {site_url} resumed by {who}"),
    "automation_mode": _simple("Automation of portal account #{account_id} set to {to} "
                               "by {who}"),
    "account_edited": _simple("Portal account #{account_id} ({username}) edited by {who}: "
                              "{changes} changed"),
    "account_retired": _simple("Portal account #{account_id} ({username} on {site_url}) "
                               "retired by {who}: its history stays, it takes no new transfers"),
    "account_removed": _simple("Portal account #{account_id} ({username} on {site_url}) "
                               "removed by {who}"),
    "mail_template_saved": _simple("Mail template for {domain} saved (version {version}) "
                                   "by {who}"),
    "mail_template_enabled": _simple("Mail template for {domain} (version {version}) enabled "
                                     "by {who}"),
    "mail_template_disabled": _simple("Mail template for {domain} (version {version}) "
                                      "disabled by {who}"),
    "escrow_hold_placed": _escrow_result("Hold placed"),
    "escrow_hold_expiring": lambda e, t: "Warning: the buyer's hold lapses soon"
    + (f" ({_d(e, 'hold_expires_at')[:16].replace('T', ' ')} UTC)"
       if _d(e, "hold_expires_at") else ""),
    "escrow_hold_checked": _escrow_checked("Hold checked with Stripe"),
    "escrow_reconciled": _escrow_checked("Hold reconciled with Stripe"),
    "escrow_retry_requested": _simple("Escrow retry requested by {who}"),
    "escrow_capture_failed": _escrow_result("Capturing the hold failed"),
    "escrow_cancel_failed": _escrow_result("Releasing the hold failed"),
    "escrow_capture_retry_scheduled": _escrow_result("Capture will be retried"),
    "escrow_cancel_retry_scheduled": _escrow_result("Release of the hold will be retried"),
    **{f"escrow_{status.value}": _escrow_result(f"Hold {ESCROW_WORDS[status.value]}")
       for status in EscrowStatus},
    "escrow_held": _escrow_result("Hold placed"),
    "escrow_failed": _escrow_result("Capturing or releasing the hold failed"),
}


def describe_audit(entry: AuditEntry, transfer: TransferFull) -> str:
    """The sentence for one audit row (a readable fallback for an action it does not know)."""
    sentence = AUDIT_SENTENCES.get(entry.action)
    if sentence is not None:
        try:
            return sentence(entry, transfer)
        except (KeyError, IndexError, ValueError):  # a detail without the fields it expects
            pass
    words = entry.action.replace("_", " ").strip() or "change"
    change = ""
    if entry.to_status and entry.to_status != entry.from_status:
        change = f": now {STATUS_WORDS.get(entry.to_status, entry.to_status.replace('_', ' '))}"
    return f"{_upper_first(words)} recorded by {_who(entry)}{change}"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe_run(run: RunRecord) -> str:
    """"Accepted by the worker on vm-2 in 4.1 s"; a run still going says so."""
    who = who_ran(run.worker)
    if run.finished_at is None:
        return f"Attempt {run.attempt} in progress on {who}"
    took = duration((run.finished_at - run.started_at).total_seconds())
    if run.outcome is None:
        why = f" ({run.detail})" if run.detail else ""
        return f"Attempt {run.attempt} on {who} ended without a result{why}, after {took}"
    try:
        phrase = OUTCOME_PHRASES[Outcome(run.outcome)]
    except ValueError:
        phrase = run.outcome.replace("_", " ").capitalize()
    return f"{phrase} by {who} in {took}"


def describe_email(mail: MailMessageInfo) -> str:
    """"Email from notices@… : “You have tickets waiting”"."""
    sender = mail.from_addr or "an unknown sender"
    subject = f": “{mail.subject}”" if mail.subject else " (no subject)"
    return f"Email from {sender}{subject}"


_EVIDENCE_WORDS = {"screenshot": "Screenshot", "trace": "Browser trace",
                   "email": "Email kept as evidence", "upload": "File"}


def describe_evidence(item: EvidenceInfo) -> str:
    """"Screenshot my-account.png (12 KB) added by Dana"."""
    what = _EVIDENCE_WORDS.get(item.kind, "Evidence")
    by = item.created_by_name or item.created_by
    size = f"{item.size / 1024:.0f} KB" if item.size >= 1024 else f"{item.size} bytes"
    return f"{what} {item.filename} ({size}) added" + (f" by {by}" if by else "")


def timeline_items(transfer: TransferFull, runs: Sequence[RunRecord],
                   emails: Sequence[MailMessageInfo], evidence: Sequence[EvidenceInfo],
                   audit: Sequence[AuditEntry]) -> tuple[TimelineItem, ...]:
    """Every recorded fact of a transfer as one sentence each, oldest first."""
    items: list[TimelineItem] = [TimelineItem(a.at, "audit", describe_audit(a, transfer), a.id)
                                 for a in audit]
    items += [TimelineItem(r.started_at, "run", describe_run(r), r.id) for r in runs]
    items += [TimelineItem(m.received_at or transfer.created_at, "email", describe_email(m),
                           m.id) for m in emails]
    items += [TimelineItem(e.created_at, "evidence", describe_evidence(e), e.id)
              for e in evidence]
    items.sort(key=_order)
    return tuple(items)


def _order(item: TimelineItem) -> tuple[datetime, str, int]:
    return item.at, item.kind, item.ref_id
