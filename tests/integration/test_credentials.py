"""app.credentials against the real Secret Service: storage, refusals, and no secret in logs."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyrings.alt.file import PlaintextKeyring

from app.cli.main import main
from app.credentials import (
    STORAGE_KEY,
    CredentialStore,
    KeyringUnavailableError,
    MissingCredentialError,
    check_backend,
    credential_key,
    mailbox_key,
    portal_key,
    stripe_key,
)

SECRET = "s3cret-VALUE-never-logged"


def test_round_trip(credential_store: CredentialStore) -> None:
    key = portal_key("box-office@marketplace.example")
    assert credential_store.get(key) is None
    credential_store.set(key, SECRET)
    assert credential_store.get(key) == SECRET
    assert credential_store.require(key) == SECRET
    assert credential_store.delete(key) is True
    assert credential_store.delete(key) is False
    with pytest.raises(MissingCredentialError, match="credentials set portal"):
        credential_store.require(key)


def test_storage_key_is_generated_once(credential_store: CredentialStore) -> None:
    first = credential_store.storage_key()
    assert len(first) == 44 and first.endswith("=")  # urlsafe base64 of 32 bytes (Fernet)
    assert credential_store.storage_key() == first
    assert credential_store.get(STORAGE_KEY) == first


def test_key_names() -> None:
    assert mailbox_key("transfers") == "mailbox:transfers"
    assert stripe_key("live") == "stripe:live"
    assert credential_key("stripe", "test") == "stripe:test"
    with pytest.raises(ValueError, match="test' or 'live"):
        credential_key("stripe", "prod")
    with pytest.raises(ValueError, match="unknown credential kind"):
        credential_key("password", "x")
    with pytest.raises(ValueError, match="non-empty"):
        portal_key(" ")


def test_plaintext_backend_is_refused_and_nothing_is_written(
    keyring_service: str, tmp_path: Path
) -> None:
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(plaintext)  # the keyring_service fixture restores Secret Service
    store = CredentialStore()
    with pytest.raises(KeyringUnavailableError, match="refusing keyring backend .*Plaintext"):
        store.set(portal_key("box"), SECRET)
    with pytest.raises(KeyringUnavailableError):
        store.get(portal_key("box"))
    assert not Path(plaintext.file_path).exists()


class _PlaintextChain(chainer.ChainerBackend):
    backends = [PlaintextKeyring()]


class _EmptyChain(chainer.ChainerBackend):
    backends: list[KeyringBackend] = []


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), _PlaintextChain(), _EmptyChain()],
    ids=["fail", "null", "plaintext-chain", "empty-chain"],
)
def test_unsafe_backends_are_refused(backend: KeyringBackend) -> None:
    with pytest.raises(KeyringUnavailableError, match="install and unlock an OS keyring"):
        check_backend(backend)


def test_a_chain_uses_only_its_secure_backend(secret_service: KeyringBackend) -> None:
    class MixedChain(chainer.ChainerBackend):
        backends = [secret_service, PlaintextKeyring()]

    assert check_backend(MixedChain()) is secret_service


def test_dbus_unreachable_is_a_clear_error_and_saves_nothing(
    credential_store: CredentialStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with monkeypatch.context() as broken:
        broken.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
        with pytest.raises(KeyringUnavailableError, match="locked or unreachable.*nothing"):
            credential_store.set(mailbox_key("transfers"), SECRET)
    assert credential_store.get(mailbox_key("transfers")) is None


def test_cli_set_check_delete(
    keyring_service: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert main(["credentials", "set", "mailbox", "transfers"]) == 0
    assert CredentialStore().get("mailbox:transfers") == SECRET
    assert main(["credentials", "check"]) == 0
    assert "SecretService" in capsys.readouterr().out
    assert main(["credentials", "delete", "mailbox", "transfers"]) == 0
    assert main(["credentials", "delete", "mailbox", "transfers"]) == 3
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["credentials", "set", "stripe", "test"]) == 1
    assert "empty secret" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # a secret on argv is not accepted
        main(["credentials", "set", "portal", "box", SECRET])
    assert usage.value.code == 2


def test_secret_never_appears_in_logs_or_output(
    credential_store: CredentialStore,
    keyring_service: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    credential_store.set(portal_key("box"), SECRET)
    credential_store.get(portal_key("box"))
    storage_key = credential_store.storage_key()
    credential_store.delete(portal_key("box"))
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert main(["credentials", "set", "portal", "box"]) == 0
    output = capsys.readouterr()
    assert "portal:box" in caplog.text  # the key is logged, so the log was captured ...
    for text in (caplog.text, output.out, output.err):
        assert SECRET not in text  # ... but never the value
        assert storage_key not in text


def test_the_database_slot_fills_the_password_in_memory(credential_store: CredentialStore
                                                        ) -> None:
    from app.credentials import credential_key, database_key
    from app.database_url import mask_url
    from app.db.engine import with_keyring_password

    assert credential_key("database", "alice") == database_key("alice") == "database:alice"
    url = "postgresql://alice@db.example:5432/transferdesk?sslmode=require"
    assert with_keyring_password(url) == url  # nothing stored yet: unchanged
    credential_store.set(database_key("alice"), "p@ss/w:rd")
    filled = with_keyring_password(url)
    assert filled == ("postgresql://alice:p%40ss%2Fw%3Ard@db.example:5432/transferdesk"
                      "?sslmode=require")
    assert mask_url(filled) == "postgresql://alice:***@db.example:5432/transferdesk?sslmode=require"
    socket_url = "postgresql://alice@/transferdesk?host=/run/postgresql"
    assert with_keyring_password(socket_url) == socket_url  # local socket: peer/trust auth
