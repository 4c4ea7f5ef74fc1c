"""What the database guarantor (migration 0008) costs: CSV import rows/s and claim+outcome
round trips, with its triggers on (as deployed) and off (the same database, triggers disabled
by the owner), in the same session. Sizes scale with TRANSFERDESK_PERF_SCALE.

Figures: import rows/s and ms per claim+outcome, each with and without 0008, and the overhead.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import Engine

from app.domain.records import NewTransfer
from app.domain.states import Role
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from tests.perf.report import report, scale

pytestmark = pytest.mark.perf
TRIGGERS = (("transfers", "transfers_audit_insert"), ("transfers", "transfers_audit_update"),
            ("audit_log", "audit_log_stamp"), ("runs", "runs_guard"),
            ("evidence", "evidence_stamp"))


def set_guarantor(database_url: str, enabled: bool) -> None:
    """Enable or disable the 0008 triggers (the owner may; the app's roles may not)."""
    verb = "ENABLE" if enabled else "DISABLE"
    with psycopg.connect(database_url) as conn:
        for table, trigger in TRIGGERS:
            conn.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")


def import_rate(staff: TransferService, prefix: str, rows: int) -> float:
    """Rows per second of one CSV import of ``rows`` transfers (one transaction)."""
    lines = ["order_ref,event_name,seller_name,amount"]
    lines += [f"{prefix}-{i},Game {i % 7},Seller {i},{10 + i % 90}.00" for i in range(rows)]
    began = time.perf_counter()
    staff.import_csv("\n".join(lines) + "\n")
    return rows / (time.perf_counter() - began)


def claim_ms(engine: Engine, staff: TransferService, prefix: str, count: int) -> float:
    """Milliseconds per claim + outcome (two transactions) over ``count`` transfers."""
    for i in range(count):
        created = staff.create(NewTransfer(order_ref=f"{prefix}-{i}", event_name="Game"))
        staff.mark_notice_received(created.row.id, accept_url="https://portal.example/a",
                                   transfer_ref=f"T{i}", accept_by=None)
    bot = ClaimService(engine, "bench-bot", role=Role.BOT)
    began = time.perf_counter()
    done = 0
    while claim := bot.claim("bench-bot"):
        bot.record_outcome(claim.run_id, "bench-bot", "wrong_tickets")
        done += 1
    assert done == count
    return (time.perf_counter() - began) * 1000 / count


def test_audit_guarantor_overhead(database_url: str, engine: Engine) -> None:
    staff = TransferService(engine, "bench desk", role=Role.STAFF)
    rows, claims = max(100, int(5000 * scale(0.2))), max(20, int(300 * scale(0.2)))
    figures: dict[str, float] = {}
    for rnd, enabled in enumerate((False, True, False, True)):  # interleaved against drift
        set_guarantor(database_url, enabled)
        tag = "on" if enabled else "off"
        rate = import_rate(staff, f"I{rnd}", rows)
        ms = claim_ms(engine, staff, f"C{rnd}", claims)
        figures[f"import_rows_per_s_{tag}"] = max(figures.get(f"import_rows_per_s_{tag}", 0), rate)
        figures[f"claim_outcome_ms_{tag}"] = min(figures.get(f"claim_outcome_ms_{tag}", 1e9), ms)
    set_guarantor(database_url, True)
    on, off = figures["import_rows_per_s_on"], figures["import_rows_per_s_off"]
    figures["import_overhead_pct"] = (off / on - 1) * 100
    figures["claim_overhead_pct"] = (
        figures["claim_outcome_ms_on"] / figures["claim_outcome_ms_off"] - 1) * 100
    report("audit_guarantor", {"rows": rows, "claims": claims,
                               **{k: round(v, 1) for k, v in figures.items()}})
    assert figures["import_rows_per_s_on"] > 0
