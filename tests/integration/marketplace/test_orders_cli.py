"""``transferdesk orders import`` / ``orders inbox`` / ``webhooks dead`` as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from app.resources import resource_path


def cli(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "none.toml"))
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=env, text=True,
                          capture_output=True, timeout=120)


def test_example_file_dry_run_then_import(engine, database_url, tmp_path):
    example = resource_path("examples", "orders.csv")
    dry = cli(database_url, tmp_path, "orders", "import", str(example), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "3 row(s) would be answered: 3 applied" in dry.stdout
    assert "nothing written" in dry.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM transfers")).scalar_one() == 0
    real = cli(database_url, tmp_path, "orders", "import", str(example))
    assert real.returncode == 0 and "3 applied" in real.stdout
    again = cli(database_url, tmp_path, "orders", "import", str(example))
    assert "0 applied, 0 updated, 3 duplicate" in again.stdout  # idempotent on the order ref
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT order_ref, status FROM transfers")).all())
    assert rows == {"MKT-10001": "awaiting_notice", "MKT-10002": "rejected"}


def test_rejected_rows_exit_1_with_their_lines_and_a_bad_file_one_line(database_url, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_ref,event_name,currency\nA,Game,usd\nB,Game,doubloons\n")
    done = cli(database_url, tmp_path, "orders", "import", str(path))
    assert done.returncode == 1
    assert "line 3\tB\trejected: currency 'doubloons'" in done.stdout
    assert "1 applied" in done.stdout
    path.write_bytes(b"\x00" * 10)
    bad = cli(database_url, tmp_path, "orders", "import", str(path))
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert bad.stderr.startswith("transferdesk: error:")


def test_inbox_once_and_dead_letters(database_url, tmp_path, post_inbox):
    post_inbox(order_ref="CLI-1", event_name="Game")
    done = cli(database_url, tmp_path, "orders", "inbox", "--once")
    assert done.returncode == 0 and "1 inbox row(s) answered" in done.stdout
    dead = cli(database_url, tmp_path, "webhooks", "dead")
    assert dead.returncode == 0 and "0 dead deliveries" in dead.stdout
    resend = cli(database_url, tmp_path, "webhooks", "resend", "77")
    assert resend.returncode == 1 and "not dead (or unknown): 77" in resend.stderr
