"""The config writer: round trips via the loader, keeps what it does not own, refuses secrets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.config import MailboxSettings, load_settings
from app.config_writer import MailboxChange, password_in_url, update_config
from app.errors import ConfigError

HAND_WRITTEN = """\
# TransferDesk on desk 3 (edited by hand)
display_name = "Dana"   # shown in the audit log
evidence_max_bytes = 1048576

[browser]
channel = "msedge"  # staff machines
headless = false

[[mailboxes]]
name = "codes"
host = "imap.codes.example"
username = "codes@market.example"
processed_folder = "Done"
"""


def _box(name: str = "transfers", **changes: object) -> MailboxSettings:
    values: dict = {"name": name, "host": "imap.example.com", "username": "desk@market.example",
                    "port": 143, "tls": False, "folder": "Transfers"}
    values.update(changes)
    return MailboxSettings(**values)


def test_round_trip_through_the_loader(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "config.toml"  # the directory does not exist yet
    written = update_config(path, {"database_url": "postgresql://staff@db.internal/td",
                                   "display_name": "Dana"}, MailboxChange(_box()))
    loaded = load_settings(path, environ={})
    assert loaded.database_url == written.database_url == "postgresql://staff@db.internal/td"
    assert loaded.display_name == "Dana"
    assert loaded.mailboxes == (_box(),)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a new file is private
    update_config(path, {"database_url": None})  # None removes the key: embedded database
    assert load_settings(path, environ={}).uses_embedded_database


def test_keeps_comments_other_keys_and_other_mailboxes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, "utf-8")
    os.chmod(path, 0o640)
    update_config(path, {"database_url": "postgresql://db/td"}, MailboxChange(_box()))
    text = path.read_text("utf-8")
    for kept in ("# TransferDesk on desk 3 (edited by hand)", "# shown in the audit log",
                 "# staff machines", 'processed_folder = "Done"'):
        assert kept in text
    loaded = load_settings(path, environ={})
    assert loaded.evidence_max_bytes == 1048576 and loaded.browser.channel == "msedge"
    assert [m.name for m in loaded.mailboxes] == ["codes", "transfers"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # permissions kept
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left


def test_updates_a_mailbox_in_place_and_renames_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, "utf-8")
    update_config(path, mailbox=MailboxChange(_box("codes", host="imap.new.example")))
    (codes,) = load_settings(path, environ={}).mailboxes
    assert codes.host == "imap.new.example" and codes.processed_folder == "Done"
    update_config(path, mailbox=MailboxChange(_box("inbox"), replaces="codes"))
    assert [m.name for m in load_settings(path, environ={}).mailboxes] == ["inbox"]


@pytest.mark.parametrize(("values", "mailbox", "message"), [
    ({"database_url": "postgresql://staff:hunter2@db/td"}, None, "holds a password"),
    ({"database_url": "host=db password=hunter2"}, None, "holds a password"),
    ({"stripe_api_key": "sk_live_x"}, None, "cannot be written"),
    ({"max_attempts": 3}, None, "cannot be written"),
    ({"display_name": 42}, None, "must be text"),
    (None, MailboxChange(_box(host="  ")), "needs a IMAP host"),
    (None, MailboxChange(_box("codes"), replaces="other"), None),
])
def test_refuses_bad_values_and_writes_nothing(
    tmp_path: Path, values: dict | None, mailbox: MailboxChange | None, message: str | None
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, "utf-8")
    if message is None:  # renaming onto an existing mailbox
        update_config(path, mailbox=MailboxChange(_box("other")))
        before = path.read_text("utf-8")
        with pytest.raises(ConfigError, match="already configured"):
            update_config(path, values, mailbox)
    else:
        before = path.read_text("utf-8")
        with pytest.raises(ConfigError, match=message):
            update_config(path, values, mailbox)
    assert path.read_text("utf-8") == before
    assert "hunter2" not in before


def test_an_unreadable_file_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("display_name = \n", "utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        update_config(path, {"display_name": "Dana"})
    assert path.read_text("utf-8") == "display_name = \n"
    path.write_text('surprise = 1\n', "utf-8")  # the loader would refuse it: so does the writer
    with pytest.raises(ConfigError, match="unknown key"):
        update_config(path, {"display_name": "Dana"})


def test_password_in_url() -> None:
    assert password_in_url("postgresql://u:p@h/db")
    assert not password_in_url("postgresql://u@h/db")
    assert not password_in_url("postgresql:///td?host=/run/pg")
