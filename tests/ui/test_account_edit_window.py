"""Edit… and Remove… from the accounts view in a REAL window (xcb under Xvfb, its own process,
real database and Secret Service keyring): typed changes land in the row and the keyring, the
confirmation says what happens, a busy account is refused, the removed one is retired."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine

from app.browser_sessions import session_file, session_key
from app.credentials import CredentialStore, portal_key
from app.services.account_setup import add_account_with_password
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.browser.storage import StorageStateStore
from tests.fixtures.xvfb import XServer
from tests.ui.account_edit_window_driver import NEW_NAME, NEW_PASSWORD
from tests.ui.conftest import seed_transfers


def test_edit_then_remove_from_the_accounts_view(
    engine: Engine, database_url: str, xvfb: XServer, tmp_path: Path, keyring_service: str,
) -> None:
    seed = TransferService(engine, "seed")
    edit = add_account_with_password(seed, "paciolan", "https://tickets.state-u.example.edu",
                                     "box@market.example", "State U", "Old-pw-1")
    busy = add_account_with_password(seed, "paciolan", "https://tickets.tech.example.edu",
                                     "tech@market.example", "Tech", "Busy-pw-2")
    seed_transfers(engine, 1, account_id=edit.id)
    seed.expire_overdue(now=datetime.now(UTC) + timedelta(days=400))  # history only
    seed_transfers(engine, 2, account_id=busy.id, prefix="BUSY")
    data = tmp_path / "data"
    StorageStateStore(data / "browser", Fernet.generate_key()).save(
        session_key(edit.site_url, edit.username), {"cookies": []})

    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.account_edit_window_driver", database_url, str(data),
         str(edit.id), str(busy.id)],
        capture_output=True, text=True, timeout=60, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])

    assert shown["platform"] == "xcb" and shown["visible"]
    assert shown["listed"] == sorted([edit.id, busy.id])
    assert shown["prefilled"] == ["State U", "box@market.example",
                                  "https://tickets.state-u.example.edu", "automatic", ""]
    assert shown["test_offered"]
    assert shown["edited_status"] == (f"Portal account #{edit.id} box@market.example: name, "
                                      "password changed.")
    assert "If any transfer refers to it, it is retired" in shown["busy_question"]
    assert shown["busy_status"] == (f"Not removed: portal account {busy.id} still has 2 open "
                                    "transfer(s) (2 awaiting notice): finish them or move them "
                                    "to another account first")
    assert shown["removed_status"] == (
        f"Portal account #{edit.id} box@market.example retired (its history stays; it takes no "
        "new transfers); its password was deleted from the keyring; its saved browser session "
        "was deleted.")
    assert shown["retired_buttons"] == [False, False]
    assert shown["retired_label"] == NEW_NAME

    accounts = {a.id: a for a in QueueService(engine).accounts()}
    assert accounts[edit.id].label == NEW_NAME and not accounts[edit.id].active
    assert accounts[busy.id].active
    store = CredentialStore()
    assert store.get(portal_key(str(edit.id))) is None
    assert store.get(portal_key(str(busy.id))) == "Busy-pw-2"
    assert not session_file(data / "browser", session_key(edit.site_url, edit.username)).exists()
    assert NEW_PASSWORD not in proc.stdout + proc.stderr
