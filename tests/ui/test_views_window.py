"""Issue 21's views in REAL windows on a private X server (xcb under Xvfb): accounts at a
glance in every state with Sign in now against the sandbox portal, the first-run panel on an
empty database, the dashboard's figures for seeded data and a detail pane in words.

Each window runs in its own process (:mod:`tests.ui.views_window_driver`); the database state
is recorded here first through the real services (:mod:`tests.ui.views_seed`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.credentials import CredentialStore, portal_key
from app.domain.account_states import SessionState
from app.domain.states import Outcome, Role
from app.services.transfers import TransferService
from app.timeline_text import AUDIT_SENTENCES
from automation.sandbox.portal import SandboxPortal
from tests.fixtures.xvfb import XServer
from tests.ui.views_seed import seed_account_states, seed_dashboard, seed_readable_timeline

SITE = "state-u"


def _drive(xvfb: XServer, tmp_path: Path, command: str, database_url: str, *args: object,
           timeout: float = 120) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.views_window_driver", command, database_url,
         str(tmp_path / "data"), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert shown["platform"] == "xcb" and shown["visible"]
    return shown


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics", max_attempts=5)
        yield server


def test_accounts_view_shows_each_state_and_signs_in(
    engine: Engine, database_url: str, xvfb: XServer, tmp_path: Path, portal: SandboxPortal,
    keyring_service: str,
) -> None:
    ids = seed_account_states(engine)
    supervisor = TransferService(engine, "Sam", role=Role.SUPERVISOR)
    email, password = f"desk-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk")
    real = supervisor.add_account("paciolan", portal.site_url(SITE), email, "State U")
    CredentialStore().set(portal_key(str(real.id)), password)
    no_password = ids[SessionState.NEVER_SIGNED_IN]

    shown = _drive(xvfb, tmp_path, "accounts", database_url, real.id, no_password,
                   ids[SessionState.PAUSED_BY_BREAKER])

    rows = {int(k): v for k, v in shown["rows"].items()}
    expected = {SessionState.SIGNED_IN: "Signed in", SessionState.SIGN_IN_FAILED:
                "Sign-in failed", SessionState.LOCKED: "Locked",
                SessionState.BLOCKED_BY_SITE: "Blocked by the site",
                SessionState.PAUSED_BY_BREAKER: "Paused by the circuit breaker",
                SessionState.NEVER_SIGNED_IN: "Never signed in", SessionState.UNKNOWN: "Unknown"}
    for state, label in expected.items():
        assert rows[ids[state]]["State"] == label, (state, rows[ids[state]])
        assert rows[ids[state]]["state_icon"]
    assert rows[ids[SessionState.LOCKED]]["state_red"]
    assert not rows[ids[SessionState.SIGNED_IN]]["state_red"]
    failed = rows[ids[SessionState.SIGN_IN_FAILED]]
    assert failed["Last failure"].endswith(": Invalid email or password.")
    assert rows[ids[SessionState.SIGNED_IN]]["Last success"] != "—"
    assert rows[ids[SessionState.SIGNED_IN]]["May act"] == "now"
    paused = rows[ids[SessionState.PAUSED_BY_BREAKER]]
    assert re.fullmatch(r"\d\d \w{3} \d\d:\d\d", paused["May act"]), paused
    assert "circuit breaker" in paused["state_tooltip"]
    assert rows[no_password]["Open"] == "1" and rows[no_password]["Last failure"] == "—"
    assert "needing attention" in shown["summary"]
    later = {int(k): v for k, v in shown["rows_later"].items()}
    assert later[ids[SessionState.SIGNED_IN]]["State"] == "Session expired"

    assert shown["busy"][0]["progress"] and not shown["busy"][0]["button_enabled"]
    assert shown["busy"][0]["cell"].startswith("Signing in to ")
    (ok_id, ok_line), (bad_id, bad_line) = shown["checks"]
    assert ok_id == real.id and ok_line.startswith(f"Signed in as {email} on ")
    assert bad_id == no_password and bad_line == ("Sign-in failed: no password stored: save it "
                                                  "in Settings > Portal accounts")
    checked = {int(k): v for k, v in shown["rows_checked"].items()}
    assert f"Signed in as {email}" in checked[real.id]["Sign-in check"]
    assert password not in json.dumps(shown)
    assert shown["resume_enabled"]
    assert shown["resume_status"].startswith("Automation of https://site4.example.edu")
    resumed = {int(k): v for k, v in shown["rows_resumed"].items()}
    assert resumed[ids[SessionState.PAUSED_BY_BREAKER]]["State"] == "Blocked by the site"


def test_first_run_panel_opens_each_step_and_goes_away(
    database_url: str, xvfb: XServer, tmp_path: Path, keyring_service: str,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('log_level = "INFO"\n', "utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("order_ref,event_name,seller_name,seller_email,section,row,seats\n"
                      "ORD-1,Bulldogs vs. Gators,Jo Park,jo@example.com,12,5,3;4\n", "utf-8")

    shown = _drive(xvfb, tmp_path, "first_run", database_url, config, orders)

    assert shown["ticks"] == {"account": "to do", "mailbox": "to do", "orders": "to do"}
    assert not shown["queue_visible"], "an empty desk shows the steps instead of the queue"
    assert shown["hints_visible"] and shown["intro"].startswith("3 of 3 steps left")
    assert shown["tabs"] == {"account": "Portal accounts", "mailbox": "Mailbox"}
    assert shown["add_title"] == "Add a portal account"
    assert shown["account_added"].startswith("Added portal account #1 box@market.example; its "
                                             "password is in the OS keyring (portal:1)")
    assert shown["account_listed"] == "box@market.example — https://gobulldogs.evenue.net"
    assert shown["account_in_keyring"]
    assert "portal-secret-1" not in json.dumps(shown)
    assert shown["mailbox_saved"].startswith("Saved to") and shown["mailbox_in_keyring"]
    assert shown["ticks_two_done"] == {"account": "done", "mailbox": "done", "orders": "to do"}
    assert shown["still_visible"]
    assert shown["import_title"] == "Import orders"
    assert shown["gone"] and shown["queue_visible_after"]
    assert "[[mailboxes]]" in config.read_text("utf-8")


def test_dashboard_shows_the_seeded_figures(
    engine: Engine, database_url: str, xvfb: XServer, tmp_path: Path,
) -> None:
    seed = seed_dashboard(engine)

    shown = _drive(xvfb, tmp_path, "dashboard", database_url)

    assert shown["share"] == ("<b>75%</b> verified by automation (3 of 4; 1 by hand)")
    # percentile_cont over 3, 10, 100, 600 minutes: p50 55, p90 450, p95 525
    assert "p50 <b>55 m</b>" in shown["percentiles"]
    assert "p90 <b>7 h 30 m</b>" in shown["percentiles"]
    assert "p95 <b>8 h 45 m</b>" in shown["percentiles"] and "(4 transfers)" in shown[
        "percentiles"]
    assert shown["histogram"] == {"< 5 min": 1, "5–15 min": 1, "15–30 min": 0,
                                  "30 min–1 h": 0, "1–2 h": 1, "2–4 h": 0, "4–8 h": 0,
                                  "8–24 h": 1, "≥ 24 h": 0}
    assert shown["hours_total"] == 4
    assert f"<b>{seed.expired}</b> expired before a decision" in shown["lapses"]
    assert seed.expired == 1
    assert shown["blocks"] == [{"Site": seed.blocked_site, "Blocked runs": "2", "Accounts": "1"}]
    assert shown["custom_hidden"] and shown["custom_shown"] and shown["painted"]


def test_detail_pane_reads_as_sentences(
    engine: Engine, database_url: str, xvfb: XServer, tmp_path: Path,
) -> None:
    transfer_id = seed_readable_timeline(engine)

    shown = _drive(xvfb, tmp_path, "detail", database_url, transfer_id)

    assert shown["headers"] == ["When", "What happened"]
    sentences = [item["columns"][1] for item in shown["timeline"]]
    assert any(s.startswith("Notice matched: Kelly Marsh, Sec 1A Row 12, seats 7–8")
               for s in sentences), sentences
    assert "Claimed by the desk on ana-pc" in sentences
    assert any(s.startswith("Sign-in failed by the worker on vm-2 in ") for s in sentences)
    assert any(s.startswith("Manual decision: verified by Dana (desk 3)") for s in sentences)
    assert all(item["icon"] and item["kind"] for item in shown["timeline"])
    everything = "\n".join([*shown["labels"], *(c for i in shown["timeline"]
                                               for c in i["columns"] + [i["kind"]])])
    assert "None" not in everything
    raw = set(AUDIT_SENTENCES) | {o.value for o in Outcome}
    words = set(re.findall(r"[a-z]+(?:_[a-z]+)+", everything))
    assert not words & raw, words & raw
    assert "Kelly Marsh <maria@example.com>" in shown["labels"]
    assert "Sec 1A Row 12, seats 7–8" in shown["labels"]
    assert "$240.00" in shown["labels"]
