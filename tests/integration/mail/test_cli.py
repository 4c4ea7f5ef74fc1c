"""``transferdesk mail sync --once`` with a configured mailbox and its password in the keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from app.credentials import CredentialStore, mailbox_key
from tests.fixtures.dovecot import TestMailbox
from tests.integration.mail.conftest import mail_rows
from tests.unit import mail_samples as samples


def _run(config: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRANSFERDESK_CONFIG": str(config),
           "TRANSFERDESK_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", "mail", "sync", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )


def test_sync_once_reads_the_password_from_the_keyring(
    tmp_path: Path, mailbox: TestMailbox, database_url: str, engine: Engine,
    credential_store: CredentialStore,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[mailboxes]]\nname = "desk"\nhost = "{mailbox.host}"\nport = {mailbox.port}\n'
        f'tls = false\nusername = "{mailbox.username}"\n', encoding="utf-8",
    )
    missing = _run(config, database_url, "--once")
    assert missing.returncode == 1, missing.stderr
    assert "credentials set mailbox desk" in missing.stderr, missing.stderr

    credential_store.set(mailbox_key("desk"), mailbox.password)
    mailbox.append(samples.unrelated(message_id="cli@example.com"))
    mailbox.append(samples.verification_code())
    done = _run(config, database_url, "--once")
    assert done.returncode == 0, done.stderr
    assert "desk/INBOX: 2 fetched, 2 new" in done.stdout, done.stdout + done.stderr
    assert mailbox.password not in done.stdout + done.stderr
    assert {r["kind"] for r in mail_rows(engine)} == {"unrecognized", "verification_code"}

    again = _run(config, database_url, "--once")
    assert "0 fetched" in again.stdout, again.stdout + again.stderr


def test_sync_without_mailboxes_says_how_to_configure(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    proc = _run(config, database_url, "--once")
    assert proc.returncode == 1 and "[[mailboxes]]" in proc.stderr


def test_sync_stays_connected_until_sigterm(
    tmp_path: Path, mailbox: TestMailbox, database_url: str, engine: Engine,
    credential_store: CredentialStore,
) -> None:
    import signal
    import time

    config = tmp_path / "config.toml"
    config.write_text(
        f'[[mailboxes]]\nname = "desk"\nhost = "{mailbox.host}"\nport = {mailbox.port}\n'
        f'tls = false\nusername = "{mailbox.username}"\n', encoding="utf-8",
    )
    credential_store.set(mailbox_key("desk"), mailbox.password)
    env = {**os.environ, "TRANSFERDESK_CONFIG": str(config),
           "TRANSFERDESK_DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "mail", "sync"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        assert "syncing 1 mailbox" in proc.stdout.readline()
        mailbox.append(samples.unrelated(message_id="live@example.com"))
        deadline = time.monotonic() + 30
        while not mail_rows(engine) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r["message_key"] for r in mail_rows(engine)] == ["<live@example.com>"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_wrong_password_and_missing_folder_are_one_line_errors(
    tmp_path: Path, mailbox: TestMailbox, database_url: str, credential_store: CredentialStore,
) -> None:
    config = tmp_path / "config.toml"
    box = (f'[[mailboxes]]\nname = "desk"\nhost = "{mailbox.host}"\nport = {mailbox.port}\n'
           f'tls = false\nusername = "{mailbox.username}"\n')
    config.write_text(box, encoding="utf-8")
    credential_store.set(mailbox_key("desk"), "not-the-password")
    refused = _run(config, database_url, "--once")
    assert refused.returncode == 1 and "refused the login" in refused.stderr
    assert "Traceback" not in refused.stderr and "not-the-password" not in refused.stderr

    credential_store.set(mailbox_key("desk"), mailbox.password)
    config.write_text(box + 'folder = "Nope"\n', encoding="utf-8")
    missing = _run(config, database_url, "--once")
    assert missing.returncode == 1 and "folder 'Nope' does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
