"""`transferdesk accounts edit|remove`: real database, real Secret Service keyring, real saved
session files; one-line errors with exit code 1 (bad values) or 2 (usage), secrets never
printed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app.browser_sessions import SESSIONS_FOLDER, session_file, session_key
from app.cli.main import main
from app.credentials import CredentialStore, portal_key
from app.services.transfers import TransferService
from automation.browser.storage import StorageStateStore

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
