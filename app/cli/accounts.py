"""``transferdesk accounts``: the portal accounts transfers are sent to.

``accounts add`` records the account in the database and its password in the OS keyring
(``portal:<id>``); the password is prompted (or read from stdin), never taken from argv.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from app.cli.credentials import read_secret
from app.cli.database import command_database_url
from app.config import load_settings
from app.credentials import CredentialStore, check_backend, portal_key
from app.db.engine import make_engine
from app.errors import KnownError


def register(subparsers: Any) -> None:
    """Add ``accounts add|list``."""
    accounts = subparsers.add_parser("accounts", help="portal accounts (Paciolan sites)")
    sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a portal account; prompts for its password")
    add.add_argument("--platform", default="paciolan", help="portal platform (default paciolan)")
    add.add_argument("--site-url", required=True,
                     help="the site's base URL, e.g. https://tickets.example.edu")
    add.add_argument("--username", required=True, help="the sign-in email")
    add.add_argument("--label", default="", help="a name shown to staff")
    add.set_defaults(handler=_add)
    listing = sub.add_parser("list", help="list portal accounts")
    listing.set_defaults(handler=_list)


@contextmanager
def _services() -> Iterator[tuple[Any, Any]]:
    from app.services.queue import QueueService
    from app.services.transfers import TransferService

    settings = load_settings()
    engine = make_engine(command_database_url(settings), pool_size=1)
    name = settings.display_name or "cli"
    try:
        yield TransferService(engine, actor_name=name), QueueService(engine)
    finally:
        engine.dispose()


def _add(args: argparse.Namespace) -> int:
    parsed = urlparse(args.site_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise KnownError(f"--site-url must be an http(s) URL, got {args.site_url!r}")
    check_backend(probe=True)  # refuse before touching the database if secrets cannot be kept
    password = read_secret(f"{args.username} ({portal_key('<id>')})")
    with _services() as (transfers, _):
        account = transfers.add_account(args.platform, args.site_url.rstrip("/"),
                                        args.username, args.label)
    CredentialStore().set(portal_key(str(account.id)), password)
    print(f"added portal account #{account.id} {account.username} on {account.site_url}; "
          f"password saved in the keyring as {portal_key(str(account.id))}")
    return 0


def _list(args: argparse.Namespace) -> int:
    store = CredentialStore()
    with _services() as (_, queue):
        accounts = queue.accounts()
    for acc in accounts:
        has_password = "yes" if store.get(portal_key(str(acc.id))) else "NO"
        print(f"#{acc.id}\t{acc.platform}\t{acc.site_url}\t{acc.username}\t"
              f"password in keyring: {has_password}")
    return 0
