"""Templates taught from a stored notice: derive, preview, save (versioned, audited), backlog
re-run, and the CLI (list, teach, export, import, disable), on the real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from app.mail.ingest import MailIngest
from app.mail.teach import Mark, derive_template
from app.mail.template_store import TemplateService
from tests.integration.mail.conftest import mail_rows, transfer
from tests.unit.mail_teach_samples import DOMAIN, odd_notice

BULLDOGS = {"event_name": "Bulldogs vs. Gators", "seller_name": "Jo Park",
            "seller_email": "jo@example.com", "section": "12", "row": "5", "seats": ("3", "4"),
            "quantity": 2, "event_starts_at": None}


def _marks(sample_text: str) -> list[Mark]:
    def at(field: str, value: str, after: str = "") -> Mark:
        start = sample_text.index(value, sample_text.index(after) if after else 0)
        return Mark(field, start, start + len(value))

    return [at("event_name", "Bulldogs vs. Gators"), at("section", "12", "Block"),
            at("row", "5", "Tier"), at("seats", "3-4"), at("transfer_ref", "BD-1001")]


def test_teach_preview_save_and_rerun_the_backlog(
    engine: Engine, ingest: MailIngest, expect_transfer: Callable[..., int]
) -> None:
    wanted = expect_transfer(**BULLDOGS)
    first = ingest.ingest(odd_notice("odd1@gobulldogs.evenue.net"), "box")
    assert first.status == "unmatched" and transfer(engine, wanted)["status"] == "awaiting_notice"
    service = TemplateService(engine, "Dana (desk 3)")
    sample = service.sample(first.mail_message_id or 0)
    assert sample.domain == DOMAIN and sample.html and "Matchup" in sample.text

    template = derive_template(sample.text, _marks(sample.text), sample.domain)
    assert not any("Gators" in rule or "BD-1001" in rule for rule in template.rules.values())
    preview = service.preview(template)
    assert (preview.stored, preview.readable_before, preview.readable_after) == (1, 0, 1)
    assert ("seats", "", "3, 4") in [change[1:] for change in preview.changes]

    saved = service.save(template, "first teach")
    assert (saved.domain, saved.version, saved.created_by_name) == (DOMAIN, 1, "Dana (desk 3)")
    assert service.save(template).version == 2  # every save is a new version
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT action, actor_name, detail FROM audit_log "
                                  "WHERE action = 'mail_template_saved' ORDER BY id")).all()
    assert [(a[0], a[1], a[2]["version"]) for a in audit] == [
        ("mail_template_saved", "Dana (desk 3)", 1), ("mail_template_saved", "Dana (desk 3)", 2)]

    ingest.forget_taught()
    (backlog,) = service.backlog(DOMAIN)
    result = ingest.reprocess(backlog)
    assert result.status == "matched" and result.transfer_ids == (wanted,)
    assert transfer(engine, wanted)["status"] == "notice_received"

    # The next notice of that school, with another game and other seats, reads at ingest.
    other = expect_transfer(**{**BULLDOGS, "event_name": "Bulldogs vs. Rams", "section": "101",
                               "row": "22", "seats": ("7", "8")})
    second = ingest.ingest(odd_notice("odd2@gobulldogs.evenue.net", game="Bulldogs vs. Rams",
                                      block="101", tier="22", places="7 & 8", ref="BD-2002"),
                           "box")
    assert (second.parsed.section, second.parsed.row, second.parsed.seats) == (
        "101", "22", ("7", "8"))
    assert second.status == "matched" and second.transfer_ids == (other,)


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRANSFERDESK_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "app.cli.main", "mail", "templates", *args],
                          capture_output=True, text=True, timeout=120, env=env, check=False)


def test_cli_teach_list_export_import_disable(
    tmp_path: Path, engine: Engine, database_url: str, ingest: MailIngest,
    expect_transfer: Callable[..., int],
) -> None:
    wanted = expect_transfer(**BULLDOGS)
    row_id = ingest.ingest(odd_notice("odd3@gobulldogs.evenue.net"), "box").mail_message_id
    marks = ["--mark", "event_name=Bulldogs vs. Gators", "--mark", "seats=3-4",
             "--mark", "transfer_ref=BD-1001"]
    preview = _cli(database_url, "teach", str(row_id), *marks)
    assert preview.returncode == 0, preview.stderr
    assert f"{DOMAIN}: would read 1 of 1 stored notice(s) (today 0)" in preview.stdout
    assert _cli(database_url, "list").stdout == ""  # a preview stores nothing
    saved = _cli(database_url, "teach", str(row_id), *marks, "--save")
    assert saved.returncode == 0, saved.stderr
    assert "backlog re-run: 1 notice(s), 1 matched" in saved.stdout, saved.stdout
    assert transfer(engine, wanted)["status"] == "notice_received"
    listed = _cli(database_url, "list").stdout.splitlines()
    assert len(listed) == 1 and f"\t{DOMAIN}\tv1\tenabled\t" in listed[0]

    exported = tmp_path / "templates.json"
    assert _cli(database_url, "export", str(exported)).returncode == 0
    items = json.loads(exported.read_text(encoding="utf-8"))
    assert [i["domain"] for i in items] == [DOMAIN] and "seats" in items[0]["rules"]
    imported = _cli(database_url, "import", str(exported))
    assert imported.returncode == 0 and f"imported {DOMAIN} v2" in imported.stdout
    template_id = listed[0].split("\t")[0]
    assert _cli(database_url, "disable", template_id).returncode == 0
    states = [line.split("\t")[3] for line in _cli(database_url, "list").stdout.splitlines()]
    assert states == ["enabled", "disabled"]  # v2 (newest first) enabled, v1 disabled

    bad = tmp_path / "bad.json"
    bad.write_text('[{"domain": "x.example", "rules": {"seats": "(no group)"}}]')
    refused = _cli(database_url, "import", str(bad))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "value" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    missing = _cli(database_url, "teach", str(row_id), "--mark", "seats=not there")
    assert missing.returncode == 1 and "does not appear" in missing.stderr
    assert len(mail_rows(engine)) == 1
