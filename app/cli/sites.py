"""``transferdesk sites``: portal sites whose automation is paused (circuit breakers).

A site that keeps answering with a block page ("the portal refuses automated browsers") pauses
for every desk and worker (settings ``breaker_*``; docs/portals.md). ``sites list`` shows the
pauses; ``sites resume URL`` ends one early (supervisors). TransferDesk never tries to evade a
site's bot detection: paused transfers go to people (the assisted lane).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from app.cli.database import command_database_url
from app.config import load_settings
from app.db.engine import make_engine


def register(subparsers: Any) -> None:
    """Add ``sites list|resume``."""
    sites = subparsers.add_parser("sites", help="paused (blocked) portal sites")
    sub = sites.add_subparsers(dest="sites_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="sites whose automation is paused, and until when")
    listing.set_defaults(handler=_list)
    resume = sub.add_parser("resume", help="end a site's pause now (supervisors)")
    resume.add_argument("site_url", help="the site's base URL, as `sites list` shows it")
    resume.set_defaults(handler=_resume)


@contextmanager
def _service() -> Iterator[Any]:
    from app.services.breakers import BreakerService
    from app.services.ops import desk_role

    settings = load_settings()
    engine = make_engine(command_database_url(settings), pool_size=1)
    try:
        yield BreakerService(engine, settings.display_name or "cli", desk_role(engine))
    finally:
        engine.dispose()


def _list(args: argparse.Namespace) -> int:
    with _service() as service:
        paused = service.list_open()
    if not paused:
        print("no paused sites: automation runs on every site")
    for item in paused:
        until = item.open_until.astimezone(UTC)
        print(f"{item.site_url}  paused until {until:%Y-%m-%d %H:%M} UTC  ({item.reason})")
    return 0


def _resume(args: argparse.Namespace) -> int:
    with _service() as service:
        info = service.resume(args.site_url)
    print(f"resumed {info.site_url}: automation will be tried again now "
          f"(was paused until {info.open_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0
