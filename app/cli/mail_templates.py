"""``transferdesk mail templates``: list, teach, export, import and disable taught templates."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.database import command_engine
from app.errors import KnownError


class TemplateFileError(KnownError):
    """A template file cannot be read or written."""


def register(mail_sub: Any) -> None:
    """Add ``mail templates list|teach|export|import|disable``."""
    templates = mail_sub.add_parser("templates", help="templates taught from the desk")
    sub = templates.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="every stored version").set_defaults(handler=_list)
    teach = sub.add_parser("teach", help="derive a template from a stored notice")
    teach.add_argument("message_id", type=int, metavar="MAIL_MESSAGE_ID")
    teach.add_argument("--mark", action="append", default=[], metavar="FIELD=TEXT",
                       help="a value as it appears in the notice, for FIELD (repeatable)")
    teach.add_argument("--save", action="store_true",
                       help="store it and re-run the review backlog (default: preview only)")
    teach.set_defaults(handler=_teach)
    export = sub.add_parser("export", help="write the enabled templates to FILE (JSON)")
    export.add_argument("file", type=Path, metavar="FILE.json")
    export.set_defaults(handler=_export)
    load = sub.add_parser("import", help="store the templates of FILE as new versions")
    load.add_argument("file", type=Path, metavar="FILE.json")
    load.set_defaults(handler=_import)
    disable = sub.add_parser("disable", help="stop using one template version")
    disable.add_argument("template_id", type=int, metavar="TEMPLATE_ID")
    disable.set_defaults(handler=_disable)


def _service(engine: Any) -> Any:
    import getpass

    from app.mail.template_store import TemplateService

    return TemplateService(engine, f"{getpass.getuser()} (cli)")


def _list(args: argparse.Namespace) -> int:
    with command_engine() as engine:
        for t in _service(engine).versions():
            state = "enabled" if t.enabled else "disabled"
            print(f"{t.id}\t{t.domain}\tv{t.version}\t{state}\t{','.join(sorted(t.rules))}\t"
                  f"{t.created_by_name}\t{t.created_at:%Y-%m-%d %H:%M}")
    return 0


def _teach(args: argparse.Namespace) -> int:
    from app.mail.ingest import MailIngest
    from app.mail.teach import Mark, TemplateError, derive_template

    with command_engine() as engine:
        service = _service(engine)
        sample = service.sample(args.message_id)
        marks = []
        for item in args.mark:
            name, _, value = item.partition("=")
            start = sample.text.find(value) if value else -1
            if start < 0:
                raise TemplateError(f"{value!r} does not appear in notice {args.message_id}")
            marks.append(Mark(name.strip(), start, start + len(value)))
        current = {t.domain: t for t in service.enabled()}.get(sample.domain)
        template = derive_template(sample.text, marks, sample.domain,
                                   base=current.rules if current else None)
        preview = service.preview(template)
        print(f"{sample.domain}: would read {preview.readable_after} of {preview.stored} stored "
              f"notice(s) (today {preview.readable_before})")
        for row_id, name, before, after in preview.changes[:50]:
            print(f"  message {row_id}: {name}: {before or '-'} -> {after or '-'}")
        if not args.save:
            return 0
        saved = service.save(template)
        ingest = MailIngest(engine, actor_name=service.actor_name)
        results = [ingest.reprocess(i) for i in service.backlog(sample.domain)]
        matched = sum(r.status == "matched" for r in results)
        print(f"saved {saved.domain} v{saved.version} (id {saved.id}); backlog re-run: "
              f"{len(results)} notice(s), {matched} matched")
    return 0


def _export(args: argparse.Namespace) -> int:
    with command_engine() as engine:
        items = [{"domain": t.domain, "platform": t.platform, "rules": dict(t.rules),
                  "version": t.version} for t in _service(engine).enabled()]
    try:
        args.file.write_text(json.dumps(items, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    except OSError as exc:
        raise TemplateFileError(f"cannot write {args.file}: {exc.strerror or exc}") from exc
    print(f"exported {len(items)} template(s) to {args.file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        items = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TemplateFileError(f"cannot read templates from {args.file}: {exc}") from exc
    if not isinstance(items, list):
        raise TemplateFileError(f"{args.file}: expected a JSON list of templates")
    with command_engine() as engine:
        saved = _service(engine).import_templates(items)
    for t in saved:
        print(f"imported {t.domain} v{t.version} (id {t.id})")
    return 0


def _disable(args: argparse.Namespace) -> int:
    with command_engine() as engine:
        t = _service(engine).set_enabled(args.template_id, False)
    print(f"disabled {t.domain} v{t.version} (id {t.id})", file=sys.stdout)
    return 0
