"""Every command that touches the embedded database migrates it first (fresh data dir).

Each command runs as a real ``transferdesk`` process on a data dir it has never seen: the
embedded cluster is created, started and brought to head by the command itself, so none ends
in an ``UndefinedTable`` traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.credentials import CredentialStore, mailbox_key
from app.db import migrate
from app.db.local_cluster import LocalCluster, cluster_dir_for
from tests.fixtures.dovecot import TestMailbox

COMMANDS = {
    "accounts list": ["accounts", "list"],
    "escrow problems": ["escrow", "problems"],
    "worker --once": ["worker", "--once"],
}


@pytest.fixture
def fresh_data_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    yield data
    LocalCluster(cluster_dir_for(data)).destroy()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_command_migrates_a_fresh_embedded_cluster(
    command: str, fresh_data_dir: Path, keyring_service: str, tmp_path: Path
) -> None:
    env = dict(os.environ)
    env.pop("TRANSFERDESK_DATABASE_URL", None)
    env.update(TRANSFERDESK_DATA_DIR=str(fresh_data_dir),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", *COMMANDS[command]], env=env,
                          capture_output=True, text=True, timeout=240)
    output = proc.stdout + proc.stderr
    assert "UndefinedTable" not in output and "Traceback" not in output, output
    assert proc.returncode == 0, output
    cluster = LocalCluster(cluster_dir_for(fresh_data_dir))
    assert migrate.current_revision(cluster.url()) == migrate.head_revision()


def test_mail_sync_migrates_a_fresh_embedded_cluster(
    fresh_data_dir: Path, credential_store: CredentialStore, mailbox: TestMailbox,
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[[mailboxes]]\nname = "transfers"\nhost = "{mailbox.host}"\n'
                      f'port = {mailbox.port}\ntls = false\nusername = "{mailbox.username}"\n')
    credential_store.set(mailbox_key("transfers"), mailbox.password)
    env = dict(os.environ)
    env.pop("TRANSFERDESK_DATABASE_URL", None)
    env.update(TRANSFERDESK_DATA_DIR=str(fresh_data_dir), TRANSFERDESK_CONFIG=str(config))
    proc = subprocess.run([sys.executable, "-m", "app.cli.main", "mail", "sync", "--once"],
                          env=env, capture_output=True, text=True, timeout=240)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and proc.returncode == 0, output
    assert "transfers/INBOX:" in proc.stdout
    cluster = LocalCluster(cluster_dir_for(fresh_data_dir))
    assert migrate.current_revision(cluster.url()) == migrate.head_revision()
