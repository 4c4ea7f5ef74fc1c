"""Check a demo transfer's timeline against its state (shared by the demo data tests)."""

from __future__ import annotations

from app.domain.records import TransferDetail
from app.domain.states import Status

#: The audit actions a generated transfer's state implies, in order (escrow rows aside).
STEPS: dict[tuple[Status, str | None], list[str]] = {
    (Status.AWAITING_NOTICE, None): ["create"],
    (Status.NOTICE_RECEIVED, None): ["create", "notice_matched"],
    (Status.ACCEPTING, None): ["create", "notice_matched", "claim"],
    (Status.NEEDS_REVIEW, None): ["create", "notice_matched", "claim", "run_needs_review"],
    (Status.VERIFIED, "auto"): ["create", "notice_matched", "claim", "run_verified"],
    (Status.VERIFIED, "manual"): ["create", "notice_matched", "manual_verify"],
    (Status.REJECTED, None): ["create", "notice_matched", "manual_reject"],
    (Status.EXPIRED, None): ["create", "notice_matched", "expire"],
}


def problems(detail: TransferDetail) -> list[str]:
    """What is wrong with ``detail``'s audit trail and timeline (empty: it tells the truth)."""
    row = detail.transfer.row
    ref = row.order_ref
    found: list[str] = []
    method = detail.transfer.method if row.status is Status.VERIFIED else None
    wanted = STEPS[(row.status, method)]
    steps = [a.action for a in detail.audit if not a.action.startswith("escrow_")]
    if steps != wanted:
        found.append(f"{ref} {row.status.value}: {steps} != {wanted}")
    chain = [a for a in detail.audit if a.to_status is not None]
    for before, after in zip(chain, chain[1:], strict=False):
        if after.from_status != before.to_status:
            found.append(f"{ref}: {after.action} from {after.from_status} after "
                         f"{before.action} to {before.to_status}")
    if chain and chain[-1].to_status != row.status.value:
        found.append(f"{ref}: the trail ends at {chain[-1].to_status}, not {row.status.value}")
    times = [a.at for a in detail.audit]
    if times != sorted(times):
        found.append(f"{ref}: audit rows out of order")
    words = [item.summary for item in detail.timeline]
    if len(words) < len(wanted):
        found.append(f"{ref}: timeline {words}")
    for text in words:
        if "None" in text or "_" in text.split("(")[0]:
            found.append(f"{ref}: unreadable {text!r}")
    return found
