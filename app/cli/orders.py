"""``transferdesk orders``: hand orders over from a file, or run the order-inbox applier.

``orders import FILE`` reads CSV (header row) or JSON lines and answers every row applied /
duplicate / updated / rejected with its line and reason; ``--dry-run`` does all of it inside a
transaction that is rolled back. ``orders inbox`` applies the ``order_inbox`` table (woken by
NOTIFY, polling as a fallback) until Ctrl-C/SIGTERM; ``--once`` drains it and exits. The
columns are in docs/integration.md; resources/examples/orders.csv is an example file.
"""

from __future__ import annotations

import argparse
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from app.cli.arguments import seconds
from app.config import Settings, load_settings


def register(subparsers: Any) -> None:
    """Add ``orders import|inbox``."""
    orders = subparsers.add_parser("orders", help="orders in: file import and the order inbox")
    sub = orders.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import orders from a CSV or JSON-lines file")
    imp.add_argument("file", type=Path, help="a .csv (header row) or .jsonl file")
    imp.add_argument("--dry-run", action="store_true",
                     help="answer every row, then roll back: nothing is written")
    imp.set_defaults(handler=_import)
    inbox = sub.add_parser("inbox", help="apply rows the marketplace inserted into order_inbox")
    inbox.add_argument("--once", action="store_true", help="apply what is pending, then exit")
    inbox.add_argument("--poll", type=seconds, default=5.0, metavar="SECONDS",
                       help="poll interval when no NOTIFY arrives (default 5)")
    inbox.set_defaults(handler=_inbox)


def open_database(pool_size: int = 2) -> tuple[Settings, Engine, str]:
    """Settings, an engine and the URL; the embedded cluster is migrated, a shared database
    only checked (upgrading it is an administrator's ``transferdesk db upgrade``)."""
    from app.cli.database import command_database_url
    from app.db import migrate
    from app.db.engine import make_engine

    settings = load_settings()
    url = command_database_url(settings)  # migrates the embedded cluster
    if not settings.uses_embedded_database:
        migrate.check_current(url)
    return settings, make_engine(url, pool_size=pool_size), url


def _service() -> tuple[Any, Engine, str]:
    from app.intake.service import IntakeService

    settings, engine, url = open_database()
    return IntakeService(engine, settings.display_name or "orders"), engine, url


def _import(args: argparse.Namespace) -> int:
    from app.intake.files import read_order_file

    rows = read_order_file(args.file)  # a whole-file problem: one line, exit 1
    service, engine, _ = _service()
    try:
        answers = service.import_rows(rows, dry_run=args.dry_run, source=args.file.name)
    finally:
        engine.dispose()
    for answer in answers:
        if answer.status != "applied" or args.dry_run:
            ref = answer.order_ref or "-"
            reason = f": {answer.reason}" if answer.reason else ""
            print(f"line {answer.line}\t{ref}\t{answer.status}{reason}")
    tally = Counter(a.status for a in answers)
    summary = ", ".join(f"{tally[s]} {s}" for s in ("applied", "updated", "duplicate",
                                                      "rejected"))
    verb = "would be" if args.dry_run else "were"
    print(f"{len(answers)} row(s) {verb} answered: {summary}"
          + (" (dry run: nothing written)" if args.dry_run else ""))
    return 1 if tally["rejected"] else 0


def _inbox(args: argparse.Namespace) -> int:
    from app.intake.applier import InboxApplier

    service, engine, url = _service()
    applier = InboxApplier(service, url, poll_interval=args.poll)
    try:
        if args.once:
            print(f"{applier.run_once()} inbox row(s) answered")
            return 0
        signal.signal(signal.SIGTERM, lambda *_: applier.stop())
        try:
            applier.run()
        except KeyboardInterrupt:
            applier.stop()
        print(f"{applier.applied} inbox row(s) answered")
        return 0
    finally:
        engine.dispose()
