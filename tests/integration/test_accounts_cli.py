"""`transferdesk accounts add|list`: the account goes to the database, its password to the
real Secret Service keyring, and never to stdout."""

from __future__ import annotations

import io

import pytest

from app.cli.main import main
from app.credentials import CredentialStore, portal_key

PASSWORD = "portal-pw-Never-Printed-42"


@pytest.fixture
def cli_env(database_url: str, keyring_service: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("TRANSFERDESK_CONFIG", "/nonexistent/config.toml")
    return keyring_service


def test_add_stores_password_in_keyring_and_lists(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["accounts", "add", "--site-url", "https://tickets.example.edu/",
                 "--username", "box-office@market.example", "--label", "State U"])
    assert code == 0
    out = capsys.readouterr().out
    assert "added portal account #" in out and PASSWORD not in out
    account_id = out.split("#", 1)[1].split()[0]
    assert CredentialStore().get(portal_key(account_id)) == PASSWORD

    assert main(["accounts", "list"]) == 0
    listing = capsys.readouterr().out
    assert "https://tickets.example.edu\tbox-office@market.example" in listing
    assert "password in keyring: yes" in listing and PASSWORD not in listing


def test_bad_site_url_is_refused(cli_env, capsys):
    code = main(["accounts", "add", "--site-url", "tickets.example.edu",
                 "--username", "x@y.example"])
    assert code == 1
    assert "must be an https:// URL" in capsys.readouterr().err


def test_empty_password_saves_nothing(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code = main(["accounts", "add", "--site-url", "https://t.example.edu",
                 "--username", "empty@y.example"])
    assert code == 1
    assert "nothing saved" in capsys.readouterr().err
    assert main(["accounts", "list"]) == 0
    assert "empty@y.example" not in capsys.readouterr().out


def test_a_refused_keyring_write_leaves_no_account(cli_env, monkeypatch, capsys):
    """The keyring locks between the probe and the write: the row's transaction rolls back."""
    from app.credentials import KeyringUnavailableError

    def locked(_store: object, key: str, _secret: str) -> None:
        raise KeyringUnavailableError(f"the OS keyring is locked; nothing was saved ({key})")

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with monkeypatch.context() as patch:
        patch.setattr(CredentialStore, "set", locked)
        code = main(["accounts", "add", "--site-url", "https://t.example.edu", "--no-detect",
                     "--username", "locked@y.example"])
    assert code == 1
    assert "keyring is locked" in capsys.readouterr().err
    assert main(["accounts", "list"]) == 0
    assert "locked@y.example" not in capsys.readouterr().out
