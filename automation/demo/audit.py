"""The audit rows generated demo transfers would have had: one per step their state implies.

:func:`write_history` runs inside the transaction that COPYs the transfers, so each one gets,
oldest first, the rows the services write for the same steps (same actions and details, so the
detail's timeline reads the same sentences): the order added; its hold placed (where it has a
PaymentIntent); the notice matched (every status after ``awaiting_notice``); a claim by a
worker (accepting, needs review, verified by automation); then the result: verified by
automation, needs review with the outcome, a manual verification by its verifier, a rejection,
an expiry; and the hold captured or released. The audit log stamps each row with its own clock
(the seeding time), whatever the generated transfer's dates say.
"""

from __future__ import annotations

from typing import Any

import psycopg

#: Every statement reads the transfers just copied: ``id > %(after)s`` with the batch's prefix.
_BATCH = "id > %(after)s AND order_ref LIKE %(pattern)s"
_COLUMNS = "(action, actor_name, transfer_id, from_status, to_status, detail)"

#: (condition on the copied transfers, the SELECT list after "SELECT"), in the order of events.
STEPS: tuple[tuple[str, str], ...] = (
    ("TRUE",
     "'create', %(actor)s, id, NULL, 'awaiting_notice', "
     "jsonb_build_object('source', 'demo data')"),
    ("payment_intent_id IS NOT NULL",
     "'escrow_hold_placed', %(actor)s, id, NULL, NULL, jsonb_build_object("
     "'payment_intent_id', payment_intent_id, 'amount', amount, 'currency', currency, "
     "'hold_expires_at', hold_expires_at)"),
    ("status <> 'awaiting_notice'",
     "'notice_matched', %(actor)s, id, 'awaiting_notice', 'notice_received', "
     "jsonb_build_object('transfer_ref', transfer_ref, 'source', 'demo data')"),
    ("status IN ('accepting', 'needs_review') OR (status = 'verified' AND method = 'auto')",
     "'claim', %(actor)s, id, 'notice_received', 'accepting', jsonb_build_object("
     "'worker', coalesce(claimed_by, verified_by, 'demo-worker'), "
     "'attempt', greatest(attempts, 1))"),
    ("status = 'verified' AND method = 'auto'",
     "'run_verified', %(actor)s, id, 'accepting', 'verified', jsonb_build_object("
     "'outcome', 'accepted', 'attempt', greatest(attempts, 1), 'detail', '')"),
    ("status = 'needs_review'",
     "'run_needs_review', %(actor)s, id, 'accepting', 'needs_review', jsonb_build_object("
     "'outcome', last_outcome, 'attempt', greatest(attempts, 1), 'detail', '')"),
    ("status = 'verified' AND method IS DISTINCT FROM 'auto'",
     "'manual_verify', coalesce(verified_by, %(actor)s), id, 'notice_received', 'verified', "
     "jsonb_build_object('note', 'seats seen in My Account (demo data)')"),
    ("status = 'rejected'",
     "'manual_reject', %(actor)s, id, 'notice_received', 'rejected', "
     "jsonb_build_object('note', 'the seller sent other seats (demo data)')"),
    ("status = 'expired'",
     "'expire', %(actor)s, id, 'notice_received', 'expired', "
     "jsonb_build_object('as_of', accept_by)"),
    ("payment_intent_id IS NOT NULL AND escrow_status IN ('captured', 'cancelled')",
     "'escrow_' || escrow_status, %(actor)s, id, NULL, NULL, jsonb_strip_nulls("
     "jsonb_build_object('payment_intent_id', payment_intent_id, 'escrow_status', "
     "escrow_status, 'amount_captured', CASE WHEN escrow_status = 'captured' THEN amount END))"),
)


def last_transfer_id(cur: psycopg.Cursor[Any]) -> int:
    """The highest transfer id so far (read before the COPY, in its transaction)."""
    row = cur.execute("SELECT coalesce(max(id), 0) FROM transfers").fetchone()
    return int(row[0]) if row is not None else 0


def write_history(cur: psycopg.Cursor[Any], after: int, prefix: str, actor: str) -> int:
    """Audit every transfer copied after id ``after`` whose order ref starts ``prefix-``;
    the number of rows written."""
    params = {"after": after, "pattern": f"{prefix}-%", "actor": actor}
    written = 0
    for condition, values in STEPS:
        cur.execute(f"INSERT INTO audit_log {_COLUMNS} SELECT {values} FROM transfers"
                    f" WHERE {_BATCH} AND ({condition}) ORDER BY id", params)
        written += cur.rowcount
    return written
