"""``transferdesk mail``: parse one email file, or sync the configured mailboxes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import KnownError


class UnreadableFileError(KnownError):
    """The email file given to ``mail parse`` cannot be read."""


def register(subparsers: Any) -> None:
    """Add ``mail parse FILE``, ``mail sync [--once]`` and ``mail templates ...``."""
    mail = subparsers.add_parser("mail", help="mail ingest: parse notices, sync mailboxes")
    mail_sub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    parse = mail_sub.add_parser("parse", help="print what the parser reads in FILE.eml (JSON)")
    parse.add_argument("file", type=Path, metavar="FILE.eml")
    parse.set_defaults(handler=_parse)
    sync = mail_sub.add_parser("sync", help="fetch, parse and match mail of every mailbox")
    sync.add_argument("--once", action="store_true", help="one pass, then exit (no IDLE)")
    sync.add_argument("--mailbox", default=None, help="only this configured mailbox (name)")
    sync.set_defaults(handler=_sync)
    from app.cli import mail_templates

    mail_templates.register(mail_sub)


def _parse(args: argparse.Namespace) -> int:
    from app.mail.parser import parse_message

    path: Path = args.file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    json.dump(parse_message(raw).to_json(), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from app.mail.sync_service import run_sync_command

    return run_sync_command(once=args.once, only=args.mailbox)
