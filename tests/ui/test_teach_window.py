"""The teach flow in a real window on a private X server: select, assign, preview count, save,
backlog re-run (the window runs in its own process with the xcb platform, under Xvfb)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import Engine, text

from app.domain.records import NewTransfer
from app.mail.ingest import MailIngest
from app.services.transfers import TransferService
from tests.fixtures.xvfb import XServer
from tests.unit import mail_samples as samples
from tests.unit.mail_teach_samples import DOMAIN, odd_notice


def test_teach_a_template_in_a_real_window(
    engine: Engine, database_url: str, xvfb: XServer
) -> None:
    service = TransferService(engine, "test")
    account = service.add_account("paciolan", "https://gobulldogs.evenue.net", samples.ACCOUNT)
    wanted = service.create(NewTransfer(
        order_ref="ORD-B1", event_name="Bulldogs vs. Gators", account_id=account.id,
        seller_name="Jo Park", seller_email="jo@example.com", venue="Bulldog Stadium",
        event_starts_at=None, section="12", row="5", seats=("3", "4"), quantity=2,
    )).row.id
    result = MailIngest(engine).ingest(odd_notice("win1@gobulldogs.evenue.net"), "box")
    assert result.status == "unmatched"

    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run([sys.executable, "-m", "tests.ui.teach_window_driver", database_url],
                          capture_output=True, text=True, timeout=180, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown = json.loads(proc.stdout.strip().splitlines()[-1])
    assert shown["window_system"] == "xcb" and shown["visible"]
    assert shown["assigned"] == ["Event: Bulldogs vs. Gators", "Section: 12", "Row: 5",
                                 "Seats: 3-4", "Transfer reference: BD-1001"]
    assert shown["preview"].startswith(f"Would read 1 of 1 stored notice(s) from {DOMAIN} "
                                       "(today 0)")
    assert any("seats" in change and "3, 4" in change for change in shown["changes"])
    assert shown["saved"] == f"Saved {DOMAIN} v1; backlog re-run: 1 notice(s), 1 matched."
    assert shown["review_left"] == 0
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM transfers WHERE id = :id"),
                              {"id": wanted}).scalar_one()
        who = conn.execute(text("SELECT created_by_name FROM mail_templates")).scalar_one()
    assert status == "notice_received" and who == "Dana (desk 3)"
