"""CSV import: a row-by-row error report, and nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.domain.errors import ImportFailedError

HEADER = ("order_ref,event_name,seller_name,seller_email,venue,event_starts_at,section,row,"
          "seats,accept_by,payment_intent_id,amount\n")
GOOD = ("A-1,Aggies vs. LSU - Football,Maria Garcia,maria@example.com,Kyle Field,"
        "2026-11-28T19:30:00-06:00,112,F,12-14,2026-11-26T12:00:00Z,pi_1,375.50\n"
        "A-2,Clemson vs. Duke - Baseball,Li Wei,li@example.com,Doug Kingsmore,,201,3,7;8,,,\n")


def count(engine, table="transfers"):
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_good_file_imports_every_row_with_audit(engine, staff):
    report = staff.import_csv(HEADER + GOOD)
    assert report.created == 2 and len(report.transfer_ids) == 2
    with engine.connect() as conn:
        row = conn.execute(text("SELECT seats, quantity, amount, escrow_status, due_at"
                                " FROM transfers WHERE order_ref = 'A-1'")).one()
    assert row.seats == ["12", "13", "14"] and row.quantity == 3 and row.amount == 37550
    assert row.escrow_status == "held" and row.due_at.isoformat().startswith("2026-11-26T12")
    assert count(engine, "audit_log") == 2


def test_bad_rows_are_all_reported_and_nothing_written(engine, staff):
    bad = (HEADER + GOOD
           + ",Missing order,,,,,,,,,,\n"
           + "A-3,Event,,,,2026-11-28 19:30,,,,,,\n"
           + "A-4,Event,,,,,,,,,,-5\n"
           + "A-1,Duplicate,,,,,,,,,,\n"
           + "A-5,Event,,,,,,,9-1,,,\n")
    with pytest.raises(ImportFailedError) as info:
        staff.import_csv(bad)
    lines = dict(info.value.errors)
    assert "order_ref is empty" in lines[4]
    assert "needs a timezone" in lines[5]
    assert "amount" in lines[6]
    assert "repeats line 2" in lines[7]
    assert "seat range" in lines[8]
    assert "nothing written" in str(info.value)
    assert count(engine) == 0 and count(engine, "audit_log") == 0


def test_existing_order_and_unknown_account_fail_the_whole_file(engine, staff):
    staff.import_csv(HEADER + GOOD)
    again = "order_ref,event_name,account_id\nA-9,New,\nA-2,Dup,\nA-10,x,77\n"
    with pytest.raises(ImportFailedError) as info:
        staff.import_csv(again)
    assert dict(info.value.errors) == {3: "order 'A-2' already has a transfer",
                                       4: "portal account 77 does not exist"}
    assert count(engine) == 2


@pytest.mark.parametrize(("content", "message"), [
    ("order_ref,colour\nA,b\n", "missing column"),
    ("order_ref,event_name,colour\nA,b,c\n", "unknown column"),
    ("order_ref,event_name\n", "no rows"),
    ("order_ref,event_name\nA,b,c\n", "more fields than columns"),
])
def test_malformed_files(engine, staff, content, message):
    with pytest.raises(ImportFailedError, match=message):
        staff.import_csv(content)
    assert count(engine) == 0
