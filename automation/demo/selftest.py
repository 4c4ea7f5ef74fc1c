"""``demo --self-test``: send N live transfers and wait until each went through the whole chain.

Chain per transfer: sent on the portal -> notice APPENDed -> IDLE -> matched (notice_received)
-> accepted by the worker -> verified -> hold captured, confirmed on localstripe itself
(PaymentIntent ``succeeded``) and accepted exactly once on the portal.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from app.db.models import AuditLog, MailMessage, Run, Transfer
from automation.demo.orchestrator import DemoOrchestrator
from automation.demo.seeding import LiveTransfer


@dataclass(frozen=True)
class ChainTiming:
    """Seconds from the notice's APPEND to each step of one live transfer."""

    transfer_id: int
    matched: float | None
    verified: float | None
    captured: float | None
    status: str
    escrow_status: str


def chain_timings(engine: Engine, sent: Sequence[LiveTransfer]) -> list[ChainTiming]:
    """Where each live transfer is now, with its step times relative to its email."""
    ids = [s.transfer_id for s in sent]
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(
            select(Transfer.id, Transfer.status, Transfer.escrow_status,
                   Transfer.verified_at,
                   Transfer.escrow_updated_at).where(Transfer.id.in_(ids)))}
        matched = dict(conn.execute(
            select(AuditLog.transfer_id, func.min(AuditLog.at))
            .where(AuditLog.transfer_id.in_(ids), AuditLog.to_status == "notice_received")
            .group_by(AuditLog.transfer_id)).all())

    def since(start: datetime, end: datetime | None) -> float | None:
        return None if end is None else round((end - start).total_seconds(), 3)

    timings = []
    for live in sent:
        row = rows[live.transfer_id]
        captured = row.escrow_updated_at if row.escrow_status == "captured" else None
        timings.append(ChainTiming(
            live.transfer_id, since(live.emailed_at, matched.get(live.transfer_id)),
            since(live.emailed_at, row.verified_at), since(live.emailed_at, captured),
            row.status, row.escrow_status,
        ))
    return timings


def wait_for_chain(demo: DemoOrchestrator, count: int, timeout: float) -> list[ChainTiming]:
    """Wait until ``count`` live transfers were sent and all of them captured (or timeout)."""
    assert demo.sender is not None and demo.engine is not None
    deadline = time.monotonic() + timeout
    timings: list[ChainTiming] = []
    while time.monotonic() < deadline:
        sent = list(demo.sender.sent)
        timings = chain_timings(demo.engine, sent)
        if len(sent) >= count and all(t.captured is not None for t in timings):
            break
        time.sleep(0.25)
    return timings


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50 / p95 / max of ``values`` (None when empty)."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p95": round(p95, 3),
            "max": round(ordered[-1], 3)}


def summarize(demo: DemoOrchestrator, count: int, timings: Sequence[ChainTiming],
              elapsed: float) -> dict[str, Any]:
    """The self-test's JSON summary; ``ok`` is true only if every transfer went all the way."""
    assert demo.engine is not None and demo.sender is not None and demo.gateway is not None
    sent = list(demo.sender.sent)
    with demo.engine.connect() as conn:
        states = dict(conn.execute(
            select(Transfer.status, func.count()).group_by(Transfer.status)).all())
        escrow = dict(conn.execute(
            select(Transfer.escrow_status, func.count()).group_by(Transfer.escrow_status)).all())
        notices = dict(conn.execute(
            select(MailMessage.match_status, func.count()).group_by(MailMessage.match_status)
        ).all())
        runs = dict(conn.execute(select(Run.outcome, func.count()).group_by(Run.outcome)).all())
        intents = dict(conn.execute(
            select(Transfer.id, Transfer.payment_intent_id)
            .where(Transfer.id.in_([s.transfer_id for s in sent]))).all())
    accepts = demo.portal.accept_counts() if demo.portal is not None else {}
    succeeded = sum(
        1 for s in sent
        if intents.get(s.transfer_id) and demo.gateway.retrieve(
            str(intents[s.transfer_id])).status == "succeeded"
    )
    exactly_once = sum(1 for s in sent if accepts.get(s.token) == 1)
    done = [t for t in timings if t.captured is not None and t.status == "verified"]
    ok = (len(sent) >= count and len(done) >= count and succeeded >= count
          and exactly_once >= count and not demo.sender.errors)
    return {
        "ok": ok,
        "requested": count,
        "sent": len(sent),
        "completed": len(done),
        "captured_on_stripe": succeeded,
        "accepted_exactly_once": exactly_once,
        "states": {str(k): int(v) for k, v in sorted(states.items())},
        "escrow": {str(k): int(v) for k, v in sorted(escrow.items())},
        "notices": {str(k): int(v) for k, v in sorted(notices.items())},
        "runs": {str(k): int(v) for k, v in sorted(runs.items(), key=lambda kv: str(kv[0]))},
        "timings_s": {
            "email_to_matched": percentiles([t.matched for t in done if t.matched is not None]),
            "email_to_verified": percentiles(
                [t.verified for t in done if t.verified is not None]),
            "email_to_captured": percentiles(
                [t.captured for t in done if t.captured is not None]),
        },
        "stuck": [t.__dict__ for t in timings if t not in done],
        "sender_errors": list(demo.sender.errors),
        "elapsed_s": round(elapsed, 1),
    }
