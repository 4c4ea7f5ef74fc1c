"""The Dovecot fixture is a real IMAP server: APPEND wakes an IDLE client, kick disconnects."""

from __future__ import annotations

import imaplib
from pathlib import Path

import pytest

from app.errors import DependencyMissingError
from automation.sandbox.mailbox import DovecotServer
from tests.fixtures.dovecot import TestMailbox

NOTICE = (
    b"From: Transfers <noreply@portal.example>\r\n"
    b"To: desk@marketplace.example\r\n"
    b"Subject: You have a ticket transfer\r\n"
    b"Message-ID: <notice-1@portal.example>\r\n"
    b"\r\n"
    b"Accept your tickets.\r\n"
)


def test_append_wakes_an_idle_connection(mailbox: TestMailbox) -> None:
    watcher = mailbox.connect()
    try:
        watcher.select_folder("INBOX")
        watcher.idle()
        uid = mailbox.append(NOTICE)
        responses = watcher.idle_check(timeout=30)  # returns at the first response ([]: none)
        watcher.idle_done()
        assert (1, b"EXISTS") in responses, responses  # woken by the append, not the timeout
        fetched = watcher.fetch([uid], ["RFC822"])
        assert fetched[uid][b"RFC822"] == NOTICE
    finally:
        watcher.logout()


def test_append_to_another_folder_returns_increasing_uids(mailbox: TestMailbox) -> None:
    first = mailbox.append(NOTICE, folder="Processed")
    second = mailbox.append(NOTICE, folder="Processed")
    assert second > first
    client = mailbox.connect()
    try:
        assert client.folder_status("Processed", ["MESSAGES"])[b"MESSAGES"] == 2
        assert client.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 0
    finally:
        client.logout()


def test_kick_disconnects_the_client(mailbox: TestMailbox) -> None:
    client = mailbox.connect()
    client.select_folder("INBOX")
    client.idle()
    mailbox.kick()
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        # The server says BYE and closes; at the latest the next command fails.
        responses = client.idle_check(timeout=10)
        assert any(b"BYE" in repr(item).encode() for item in responses), responses
        client.idle_done()
        client.noop()
    client.shutdown()


def test_wrong_password_is_refused(mailbox: TestMailbox) -> None:
    with pytest.raises(Exception, match="(?i)authentication failed"):
        mailbox.server.connect(mailbox.username, mailbox.password + "x")


@pytest.mark.parametrize("name", ["", "../etc", ".hidden", "a/b", "with space", "x" * 65])
def test_unsafe_user_names_are_rejected(dovecot: DovecotServer, name: str) -> None:
    with pytest.raises(ValueError, match="invalid mail user name"):
        dovecot.add_user(name, "pw")


def test_missing_dovecot_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("automation.sandbox.mailbox.SYSTEM_PATH", str(tmp_path))
    with pytest.raises(DependencyMissingError, match="dovecot.*apt-get install dovecot-imapd"):
        DovecotServer(tmp_path / "imap").start()
