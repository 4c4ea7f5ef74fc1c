"""`transferdesk accounts edit|remove`: real database, real Secret Service keyring, real saved
session files; one-line errors with exit code 1 (bad values) or 2 (usage), secrets never
printed. `accounts edit --test` signs in to the sandbox portal with real Chromium."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from app.browser_sessions import SESSIONS_FOLDER, session_file, session_key
from app.cli.main import main
from app.credentials import CredentialStore, portal_key
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.browser.storage import StorageStateStore
from automation.sandbox.portal import SandboxPortal

PASSWORD, NEW_PASSWORD = "portal-pw-Never-Printed-42", "portal-pw-New-Never-Printed-43"


@pytest.fixture
def cli_env(database_url: str, keyring_service: str, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("TRANSFERDESK_CONFIG", "/nonexistent/config.toml")
    monkeypatch.setenv("TRANSFERDESK_DATA_DIR", str(tmp_path))
    return tmp_path / SESSIONS_FOLDER


def _add(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sessions: Path,
         username: str = "box@market.example") -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["accounts", "add", "--site-url", "https://t.example.edu", "--no-detect",
                 "--username", username, "--label", "State U"]) == 0
    account_id = capsys.readouterr().out.split("#", 1)[1].split()[0]
    StorageStateStore(sessions, Fernet.generate_key()).save(
        session_key("https://t.example.edu", username), {"cookies": []})
    return account_id


def _saved(sessions: Path, username: str) -> bool:
    return session_file(sessions, session_key("https://t.example.edu", username)).exists()


def test_edit_changes_name_username_and_password(cli_env, monkeypatch, capsys):
    account_id = _add(monkeypatch, capsys, cli_env)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    code = main(["accounts", "edit", account_id, "--name", "State U tickets",
                 "--username", "tickets@market.example", "--password-stdin", "--mode",
                 "assisted"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"portal account #{account_id} tickets@market.example" in out
    assert "name, username, automation mode, password changed" in out
    assert "saved browser session of the old sign-in was deleted" in out
    assert NEW_PASSWORD not in out + err and PASSWORD not in out + err
    assert CredentialStore().get(portal_key(account_id)) == NEW_PASSWORD
    assert not _saved(cli_env, "box@market.example")
    assert main(["accounts", "list"]) == 0
    assert "tickets@market.example" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--site-url", "http://tickets.example.edu"], "plain http to a real host"),
    (["--username", " "], "needs a username"),
    ([], "nothing to change"),
])
def test_bad_edits_are_one_line_errors_and_change_nothing(cli_env, monkeypatch, capsys, argv,
                                                          message):
    account_id = _add(monkeypatch, capsys, cli_env)
    assert main(["accounts", "edit", account_id, *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert _saved(cli_env, "box@market.example")
    assert CredentialStore().get(portal_key(account_id)) == PASSWORD


def test_usage_errors_exit_2(cli_env, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["accounts", "edit", "7", "--mode", "sometimes"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["accounts", "remove", "seven"])
    assert caught.value.code == 2
    capsys.readouterr()
    assert main(["accounts", "edit", "424242", "--name", "x"]) == 1
    assert "portal account 424242 does not exist" in capsys.readouterr().err


def test_an_empty_new_password_saves_nothing(cli_env, monkeypatch, capsys):
    account_id = _add(monkeypatch, capsys, cli_env)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["accounts", "edit", account_id, "--name", "Renamed", "--password-stdin"]) == 1
    assert "nothing saved" in capsys.readouterr().err
    assert CredentialStore().get(portal_key(account_id)) == PASSWORD
    assert main(["accounts", "list"]) == 0
    assert "box@market.example" in capsys.readouterr().out


def test_remove_deletes_an_unused_account_with_password_and_session(cli_env, monkeypatch,
                                                                     capsys):
    account_id = _add(monkeypatch, capsys, cli_env)
    assert main(["accounts", "remove", account_id]) == 0
    out = capsys.readouterr().out
    assert "deleted (no transfer referred to it)" in out
    assert f"password deleted from the keyring (portal:{account_id})" in out
    assert "saved browser session deleted" in out
    assert CredentialStore().get(portal_key(account_id)) is None
    assert not _saved(cli_env, "box@market.example")
    assert main(["accounts", "remove", account_id]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_remove_is_refused_with_open_transfers_then_retires(cli_env, monkeypatch, capsys,
                                                           tmp_path, engine):
    account_id = _add(monkeypatch, capsys, cli_env)
    orders = tmp_path / "orders.csv"
    orders.write_text("order_ref,event_name,accept_by,account_id\n"
                      f"ORD-CLI-1,Game,2030-01-01T00:00:00Z,{account_id}\n")
    assert main(["orders", "import", str(orders)]) == 0
    capsys.readouterr()
    assert main(["accounts", "remove", account_id]) == 1
    err = capsys.readouterr().err
    assert "still has 1 open transfer(s) (1 awaiting notice)" in err
    assert CredentialStore().get(portal_key(account_id)) == PASSWORD

    later = datetime(2031, 1, 1, tzinfo=UTC)  # the accept window lapses: only history is left
    assert TransferService(engine).expire_overdue(now=later)
    assert main(["accounts", "remove", account_id]) == 0
    assert "retired (its transfers and runs keep naming it" in capsys.readouterr().out
    assert main(["accounts", "list"]) == 0
    assert "password in keyring: NO\tretired" in capsys.readouterr().out
    orders.write_text("order_ref,event_name,accept_by,account_id\n"
                      f"ORD-CLI-2,Game,2030-01-01T00:00:00Z,{account_id}\n")
    assert main(["orders", "import", str(orders)]) == 1
    out, err = capsys.readouterr()
    assert "is retired: it takes no new transfers" in out + err


SITE = "state-u"


@pytest.fixture(scope="module")
def portal() -> Iterator[SandboxPortal]:
    with SandboxPortal() as server:
        server.add_site(SITE, "State University Athletics", max_attempts=5)
        yield server
        server.clear_faults()


@pytest.fixture
def portal_account(cli_env, portal, monkeypatch, capsys) -> tuple[str, str, str]:
    """(account id, email, its real portal password): the portal knows the account; the
    desk's row has the CLI's PASSWORD in the keyring, which the portal refuses."""
    email, password = f"cli-{secrets.token_hex(4)}@market.test", secrets.token_urlsafe(12)
    portal.add_account(SITE, email, password, "Market Desk")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["accounts", "add", "--site-url", portal.site_url(SITE), "--no-detect",
                 "--username", email, "--label", "State U"]) == 0
    account_id = capsys.readouterr().out.split("#", 1)[1].split()[0]
    return account_id, email, password


def _label(engine: Engine, account_id: str) -> str:
    """The account's label as committed in the database."""
    return next(a.label for a in QueueService(engine).accounts() if a.id == int(account_id))


def test_edit_then_test_signs_in_with_the_new_password(portal, portal_account, monkeypatch,
                                                        capsys):
    account_id, email, password = portal_account
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = main(["accounts", "edit", account_id, "--password-stdin", "--test"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.strip().splitlines()
    assert "password changed" in lines[0]
    assert lines[1].startswith(f"Signed in as {email} on {portal.site_url(SITE)} in ")
    assert password not in out + err
    assert CredentialStore().get(portal_key(account_id)) == password

    assert main(["accounts", "edit", account_id, "--test"]) == 0  # alone: the stored one
    assert capsys.readouterr().out.startswith(f"Signed in as {email} on ")


def test_a_refused_sign_in_exits_1_and_keeps_the_edit(portal, portal_account, capsys, engine):
    account_id, _email, password = portal_account
    code = main(["accounts", "edit", account_id, "--name", "State U box", "--test"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "name changed" in out
    assert len(err.strip().splitlines()) == 1
    assert "test sign-in failed" in err and "the portal refused the sign-in" in err
    assert err.strip().endswith("the edit is saved")
    assert PASSWORD not in out + err and password not in out + err
    assert _label(engine, account_id) == "State U box"


def test_a_site_refusing_automated_browsers_says_so(portal, portal_account, capsys, engine):
    account_id, _email, password = portal_account
    portal.set_faults(SITE, automation_guard=True)
    try:
        code = main(["accounts", "edit", account_id, "--name", "Guarded", "--test"])
    finally:
        portal.set_faults(SITE, automation_guard=False)
    out, err = capsys.readouterr()
    assert code == 1 and "name changed" in out
    assert "the site refuses automated browsers" in err and "the edit is saved" in err
    assert len(err.strip().splitlines()) == 1
    assert _label(engine, account_id) == "Guarded"


def test_a_locked_keyring_gets_its_own_message_and_the_edit_stays(
    portal, portal_account, monkeypatch, tmp_path, capsys, engine,
):
    account_id, _email, _password = portal_account
    with monkeypatch.context() as locked:  # no Secret Service answers: nothing can be read
        locked.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
        code = main(["accounts", "edit", account_id, "--name", "Renamed", "--test"])
    out, err = capsys.readouterr()
    assert code == 1 and "name changed" in out
    assert len(err.strip().splitlines()) == 1
    assert "test sign-in not run: the OS keyring is locked or unreachable" in err
    assert err.strip().endswith("the edit is saved")
    assert _label(engine, account_id) == "Renamed"
