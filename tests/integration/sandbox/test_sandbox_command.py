"""``transferdesk sandbox`` as a real process: portal + Dovecot up, accounts and passwords in the
keyring, seeded notices in the mailbox, and a clean stop on Ctrl-C (SIGINT) and SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import imapclient
import pytest

from app.cli.main import main as cli_main
from app.credentials import CredentialStore
from tests.fixtures.signals import sigint_as_from_a_terminal

READY = "Press Ctrl-C to stop."


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir under /tmp that Dovecot's mail account can reach."""
    path = Path(tempfile.mkdtemp(prefix="td-sandbox-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class SandboxProcess:
    """The running command and the lines of its output still to read."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str | None]


def _start(data_dir: Path, *args: str) -> tuple[SandboxProcess, list[str]]:
    env = {
        **os.environ,
        "TRANSFERDESK_DATA_DIR": str(data_dir),
        "TRANSFERDESK_CONFIG": str(data_dir / "absent.toml"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "--log-level", "WARNING", "sandbox", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        preexec_fn=sigint_as_from_a_terminal,  # Ctrl-C works even if our SIGINT is ignored
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=60)
        if line is None:
            raise AssertionError("sandbox exited early:\n" + "\n".join(seen))
        seen.append(line)
        if READY in line:
            break
    return SandboxProcess(process, lines), seen


def _finish(sandbox: SandboxProcess, sig: int) -> list[str]:
    sandbox.process.send_signal(sig)
    code = sandbox.process.wait(timeout=30)
    rest: list[str] = []
    while (line := sandbox.lines.get(timeout=10)) is not None:
        rest.append(line)
    assert sandbox.process.stdout is not None
    sandbox.process.stdout.close()
    assert code == 0, rest
    return rest


def test_sandbox_runs_seeds_and_stops_on_ctrl_c(
    data_dir: Path, credential_store: CredentialStore
) -> None:
    sandbox, banner = _start(data_dir, "--seed", "3")
    try:
        info = json.loads((data_dir / "sandbox" / "sandbox.json").read_text())
        text = "\n".join(banner)
        assert info["portal_url"] in text and "tickets@escrow-market.test" in text
        assert "portal:sandbox:state-u" in text and "mailbox:sandbox" in text
        with urllib.request.urlopen(info["portal_url"] + "/_admin/transfers") as response:
            transfers = json.loads(response.read())
        assert len(transfers) == 3 and {t["state"] for t in transfers} == {"pending"}

        password = credential_store.require(info["mailbox_credential"])
        assert password not in text  # the banner names keys, never secrets
        for account in info["accounts"]:
            assert credential_store.get(account["credential"]) not in (None, "")
        client = imapclient.IMAPClient(info["imap_host"], port=info["imap_port"], ssl=False)
        client.login(info["mailbox_user"], password)
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["SUBJECT", "Ticket Transfer"])) == 3
        client.logout()
    finally:
        rest = _finish(sandbox, signal.SIGINT)
    assert "sandbox stopped" in rest
    assert not (data_dir / "sandbox" / "sandbox.json").exists()
    with pytest.raises(OSError):
        imapclient.IMAPClient(info["imap_host"], port=info["imap_port"], ssl=False, timeout=2)


def test_sandbox_stops_on_sigterm(data_dir: Path, credential_store: CredentialStore) -> None:
    sandbox, _ = _start(data_dir)
    assert "sandbox stopped" in _finish(sandbox, signal.SIGTERM)


@pytest.mark.parametrize("argv", [["--seed", "-1"], ["--port", "70000"], ["--mfa", "sometimes"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli_main(["sandbox", *argv])
    assert caught.value.code == 2
    assert "sandbox" in capsys.readouterr().err
