"""A batch of three in the run panel in a real window (xcb under Xvfb) against the sandbox
portal: one accepted, one cancelled by its sender (needs review), one on a site that refuses
automated browsers (blocked). The step log shows each step's duration, the ETA follows the
finished runs, and each link of the summary selects its transfer through
``RunPanel.transfer_requested``."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.credentials import CredentialStore, portal_key
from app.domain.records import NewTransfer
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.sandbox.portal import SandboxPortal
from tests.fixtures.xvfb import XServer

OPEN_SITE, GUARDED_SITE = "state-u", "guarded-u"


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(OPEN_SITE, "State University Athletics", max_attempts=3)
        server.add_site(GUARDED_SITE, "Guarded University Athletics", max_attempts=3)
        server.set_faults(GUARDED_SITE, automation_guard=True)
        yield server


def _account(portal: SandboxPortal, transfers: TransferService, store: CredentialStore,
             site: str) -> Any:
    email, password = f"desk-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(site, email, password, "Market Desk")
    account = transfers.add_account("paciolan", portal.site_url(site), email)
    store.set(portal_key(str(account.id)), password)
    return account


def _transfer(portal: SandboxPortal, transfers: TransferService, site: str, account: Any,
              ref: str) -> tuple[int, str]:
    starts = datetime.now(UTC) + timedelta(days=5)
    sent = portal.create_transfer(
        site, account.username, sender_name="Sam Seller", sender_email="sam@seller.test",
        event_name="Football vs Rivals", event_starts_at=starts, venue="Memorial Stadium",
        section="101", row="F", seats=["5", "6"])
    full = transfers.create(NewTransfer(
        order_ref=ref, event_name="Football vs Rivals", account_id=account.id,
        seller_name="Sam Seller", seller_email="sam@seller.test", venue="Memorial Stadium",
        event_starts_at=starts, section="101", row="F", seats=("5", "6")))
    transfers.mark_notice_received(full.row.id, accept_url=portal.accept_url(sent),
                                   transfer_ref=sent.token, accept_by=sent.expires_at)
    return full.row.id, sent.token


def test_batch_of_three_ends_with_a_summary_whose_links_select_the_transfer(
    portal: SandboxPortal, engine: Engine, database_url: str, credential_store: CredentialStore,
    xvfb: XServer, tmp_path: Path,
) -> None:
    transfers = TransferService(engine, "tests")
    open_account = _account(portal, transfers, credential_store, OPEN_SITE)
    guarded_account = _account(portal, transfers, credential_store, GUARDED_SITE)
    accepted, _ = _transfer(portal, transfers, OPEN_SITE, open_account, "ORD-OK-1")
    cancelled, token = _transfer(portal, transfers, OPEN_SITE, open_account, "ORD-CXL-2")
    portal.cancel_transfer(token)
    blocked, _ = _transfer(portal, transfers, GUARDED_SITE, guarded_account, "ORD-BLK-3")
    ids = [accepted, cancelled, blocked]

    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.batch_window_driver", database_url,
         str(tmp_path / "data"), *map(str, ids)],
        capture_output=True, text=True, timeout=300, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown = json.loads(proc.stdout.strip().splitlines()[-1])

    assert shown["platform"] == "xcb"
    assert shown["outcomes"] == ["accepted", "cancelled_by_sender", "blocked"], shown["log"]
    assert shown["groups"] == {"accepted": [accepted], "needs_review": [cancelled],
                               "blocked": [blocked]}
    assert "1 accepted, 1 needs review, 1 blocked" in shown["headline"]
    assert shown["link_texts"] == ["ORD-OK-1", "ORD-CXL-2", "ORD-BLK-3"]
    assert shown["link_names"][0] == "Show ORD-OK-1 in the queue"
    assert all(shown["links_visible"])
    assert shown["requested"] == ids, "each link asks the desk to select its transfer"
    assert shown["progress"] == [3, 3] and shown["status"] == "Done: 3 run(s)"

    log = shown["log"]
    assert re.search(r"✔ Sign in  \d+\.\d s", log), log
    assert re.search(r"✔ Accept  \d+\.\d s", log), log
    assert "■ accepted → verified" in log
    etas = shown["etas"]
    assert len(etas) == 3
    assert all(re.fullmatch(r"about \d.* left", eta) for eta in etas[:2]), etas
    assert etas[2] == "", "nothing left after the last one"
    statuses = {row.id: row.status for row in QueueService(engine).rows(ids)}
    assert statuses == {accepted: "verified", cancelled: "needs_review",
                        blocked: "needs_review"}
