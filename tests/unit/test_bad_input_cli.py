"""Bad input gets one clear line: the real CLI (a subprocess) over a table of bad inputs.

Each row is a config file and/or environment and a command; the CLI must exit with the
documented code (usage 2, environment 1), print one line that says what is wrong, never a
traceback, and never echo a password it was given.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "S3cretPassw0rd"


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DEAD = f"postgresql://staff@127.0.0.1:{unused_port()}/transferdesk?connect_timeout=2"

#: (id, config.toml, extra environment, argv, exit code, a regex the one line must match)
CASES: list[tuple[str, str, dict[str, str], list[str], int, str]] = [
    ("log-level", "", {}, ["--log-level", "NOPE", "db", "local", "status"], 2,
     "--log-level.*NOPE.*DEBUG, INFO, WARNING"),
    ("mailboxes-int", "mailboxes = 5", {}, ["db", "local", "status"], 1,
     r"mailboxes must be .*\[\[mailboxes\]\].*got 5"),
    ("browser-args-int", "[browser]\nargs = 5", {}, ["db", "local", "status"], 1,
     r"\[browser\].*args must be a list of strings, got 5"),
    ("database-url-int", "database_url = 5", {}, ["db", "local", "status"], 1,
     "database_url must be a string, got 5"),
    ("data-dir-int", "data_dir = 5", {}, ["db", "local", "status"], 1,
     "data_dir must be a string.*got 5"),
    ("max-attempts-bool", "max_attempts = true", {}, ["db", "local", "status"], 1,
     "max_attempts must be a positive integer, got true"),
    ("headless-string", "[browser]\nheadless = \"no\"", {}, ["db", "local", "status"], 1,
     "headless must be true or false, got 'no'"),
    ("headless-env", "", {"TRANSFERDESK_BROWSER_HEADLESS": "maybe"}, ["db", "local", "status"],
     1, "TRANSFERDESK_BROWSER_HEADLESS must be one of"),
    ("port-string", "[[mailboxes]]\nname = 'm'\nhost = 'h'\nusername = 'u'\nport = \"abc\"", {},
     ["db", "local", "status"], 1, r"#1.*port must be an integer.*got 'abc'"),
    ("password-in-file", f"database_url = 'postgresql://alice:{SECRET}@db.example/td'", {},
     ["db", "upgrade"], 1, "password.*keyring.*database"),
    ("password-in-env", "", {"TRANSFERDESK_DATABASE_URL": f"postgresql://alice:{SECRET}@db/td"},
     ["accounts", "list"], 1, "TRANSFERDESK_DATABASE_URL.*password.*keyring"),
    ("mysql-url", "", {"TRANSFERDESK_DATABASE_URL": "mysql://alice@db.example/td"},
     ["self-check"], 1, ""),
    *((f"mysql-{cmd[0]}", "", {"TRANSFERDESK_DATABASE_URL": "mysql://alice@db.example/td"},
       cmd, 1, "not a PostgreSQL URL")
      for cmd in (["db", "upgrade"], ["accounts", "list"], ["escrow", "problems"],
                  ["mail", "sync", "--once"])),
    *((f"garbage-{cmd[0]}", "", {"TRANSFERDESK_DATABASE_URL": "::not a url::"}, cmd, 1,
       "not a PostgreSQL URL")
      for cmd in (["db", "upgrade"], ["accounts", "list"], ["escrow", "problems"],
                  ["mail", "sync", "--once"])),
    *((f"unreachable-{cmd[0]}", "", {"TRANSFERDESK_DATABASE_URL": DEAD}, cmd, 1,
       "cannot connect to the database|database is unreachable")
      for cmd in (["db", "upgrade"], ["accounts", "list"], ["escrow", "problems"])),
    *((f"account-{name}", "", {}, ["accounts", "add", "--site-url", url, "--username", user], 1,
       message)
      for name, url, user, message in (
          ("credentials", f"https://alice:{SECRET}@tickets.example.edu", "u",
           "must not carry a user name or password"),
          ("plain-http", "http://tickets.example.edu", "u", "plain http to a real host"),
          ("spaces", "https://tickets .example.edu", "u", "contains spaces"),
          ("not-a-url", "tickets.example.edu", "u", "must be an https:// URL"),
          ("empty-username", "https://tickets.example.edu", "  ", "needs a username"))),
    ("keyring-backend", "", {"PYTHON_KEYRING_BACKEND": "no_such_module.Keyring"},
     ["credentials", "check"], 1, "PYTHON_KEYRING_BACKEND.*no_such_module"),
]


def run_cli(tmp_path: Path, toml: str, env: dict[str, str], argv: list[str]
            ) -> subprocess.CompletedProcess[str]:
    """The CLI with its own config file and data dir (no PYTHONPATH needed beyond the repo)."""
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("TRANSFERDESK_") and k != "PYTHON_KEYRING_BACKEND"}
    environ.update({"TRANSFERDESK_CONFIG": str(config),
                    "TRANSFERDESK_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run([sys.executable, "-m", "app.cli.main", *argv], capture_output=True,
                          text=True, timeout=120, env=environ, cwd=tmp_path)


@pytest.mark.parametrize(("toml", "env", "argv", "code", "message"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_one_clear_line(tmp_path, toml, env, argv, code, message):
    proc = run_cli(tmp_path, toml, env, argv)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert SECRET not in proc.stderr + proc.stdout
    assert proc.returncode == code, proc.stderr
    if message:
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert __import__("re").search(message, lines[0]), lines[0]


def test_self_check_masks_the_password_of_a_bad_url(tmp_path):
    proc = run_cli(tmp_path, "", {"TRANSFERDESK_DATABASE_URL": f"mysql://alice:{SECRET}@db/td"},
                   ["self-check"])
    assert SECRET not in proc.stdout + proc.stderr
    assert "alice:***@" in proc.stdout + proc.stderr
