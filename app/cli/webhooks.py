"""``transferdesk webhooks``: deliver outcome events and staff alerts, list and resend dead ones.

Endpoints are the ``[[webhooks]]`` tables of config.toml; signing secrets are in the keyring
(``transferdesk credentials set webhook NAME``). See docs/integration.md.
"""

from __future__ import annotations

import argparse
import signal
from typing import Any

from app.cli.arguments import seconds
from app.errors import KnownError


def register(subparsers: Any) -> None:
    """Add ``webhooks deliver|dead|resend``."""
    hooks = subparsers.add_parser("webhooks", help="outcome webhooks and staff alerts")
    sub = hooks.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    deliver = sub.add_parser("deliver", help="deliver queued events until Ctrl-C/SIGTERM")
    deliver.add_argument("--once", action="store_true", help="one pass, then exit")
    deliver.add_argument("--poll", type=seconds, default=5.0, metavar="SECONDS",
                         help="poll interval when no NOTIFY arrives (default 5)")
    deliver.add_argument("--lease", type=seconds, default=60.0, metavar="SECONDS",
                         help="how long a send is reserved before another deliverer may retry "
                              "it (default 60; keep it above the endpoints' timeouts)")
    deliver.set_defaults(handler=_deliver)
    dead = sub.add_parser("dead", help="list dead-lettered deliveries")
    dead.set_defaults(handler=_dead)
    resend = sub.add_parser("resend", help="queue dead-lettered deliveries again")
    resend.add_argument("ids", type=int, nargs="+", metavar="ID")
    resend.set_defaults(handler=_resend)


def _engine() -> tuple[Any, Any, str]:
    from app.cli.orders import open_database

    return open_database(pool_size=3)


def _deliver(args: argparse.Namespace) -> int:
    from app.credentials import CredentialStore
    from app.webhooks.deliverer import WebhookDeliverer, resolve_endpoints

    settings, engine, url = _engine()
    try:
        endpoints = resolve_endpoints(settings.webhooks, CredentialStore())
        if not endpoints:
            raise KnownError("no [[webhooks]] configured in " + str(settings.config_path))
        deliverer = WebhookDeliverer(engine, endpoints, lease_seconds=args.lease)
        try:
            if args.once:
                stats = deliverer.run_once()
                print(f"{stats.queued} queued, {stats.delivered} delivered, {stats.failed} "
                      f"to retry, {stats.dead} dead")
                return 0
            signal.signal(signal.SIGTERM, lambda *_: deliverer.stop())
            try:
                deliverer.run(url, args.poll)
            except KeyboardInterrupt:
                deliverer.stop()
            return 0
        finally:
            deliverer.close()
    finally:
        engine.dispose()


def _dead(args: argparse.Namespace) -> int:
    from app.webhooks.service import WebhookService

    _, engine, _ = _engine()
    try:
        letters = WebhookService(engine).dead_letters()
    finally:
        engine.dispose()
    for d in letters:
        print(f"#{d.id}\t{d.endpoint}\t{d.what}\t{d.order_ref or '-'}\t{d.attempts} attempt(s)"
              f"\t{d.last_error}")
    print(f"{len(letters)} dead deliver{'y' if len(letters) == 1 else 'ies'}")
    return 0


def _resend(args: argparse.Namespace) -> int:
    from app.webhooks.service import WebhookService

    _, engine, _ = _engine()
    try:
        queued = WebhookService(engine, "cli").resend(args.ids)
    finally:
        engine.dispose()
    missing = sorted(set(args.ids) - set(queued))
    print(f"queued again: {', '.join(map(str, queued)) or 'none'}")
    if missing:
        raise KnownError(f"not dead (or unknown): {', '.join(map(str, missing))}")
    return 0
