"""``transferdesk worker``: the headless acceptance worker (no Qt is ever loaded)."""

from __future__ import annotations

import argparse
import signal
from typing import Any

from app.cli.arguments import count, seconds


def register(subparsers: Any) -> None:
    """Add ``worker [--once] [--concurrency N]``."""
    worker = subparsers.add_parser(
        "worker", help="accept transfers headless: claim, run in the browser, record outcomes"
    )
    worker.add_argument("--once", action="store_true",
                        help="run what is due now, then exit")
    worker.add_argument("--concurrency", type=_positive, default=1, metavar="N",
                        help="parallel runs in this process (default 1)")
    worker.add_argument("--poll", type=seconds, default=10.0, metavar="SECONDS",
                        help="poll interval when no notification arrives (default 10)")
    worker.add_argument("--lease", type=seconds, default=120.0, metavar="SECONDS",
                        help="claim lease; a silent worker's claims return after it (default 120)")
    worker.add_argument("--min-interval", type=float, default=0.25, metavar="SECONDS",
                        help="per-account pause between portal actions (default 0.25)")
    worker.add_argument("--grace", type=seconds, default=30.0, metavar="SECONDS",
                        help="on SIGTERM, how long running runs may finish before they are "
                             "aborted and released (default 30)")
    worker.add_argument("--role", default=None,
                        help="PostgreSQL role to act as (e.g. transferdesk_bot)")
    worker.add_argument("--label", default="", help="a name shown to staff for this worker")
    worker.set_defaults(handler=_worker)


def _positive(value: str) -> int:
    number = count(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _worker(args: argparse.Namespace) -> int:
    from app.cli.database import command_database_url
    from app.config import load_settings
    from app.credentials import CredentialStore, check_backend
    from automation.worker import Worker, WorkerOptions

    settings = load_settings()
    check_backend()
    url = command_database_url(settings)
    options = WorkerOptions(
        concurrency=args.concurrency, once=args.once, poll_interval=args.poll,
        lease_seconds=args.lease, heartbeat_interval=max(1.0, args.lease / 4),
        reap_interval=max(1.0, min(30.0, args.lease / 2)), role=args.role, label=args.label,
        rate_limit_seconds=args.min_interval, shutdown_grace=args.grace,
    )
    credentials = CredentialStore()
    worker = Worker(settings, url, options, credentials)  # codes: the first mailbox, if any
    signal.signal(signal.SIGTERM, lambda *_: worker.request_stop())
    signal.signal(signal.SIGINT, lambda *_: worker.request_stop())
    return worker.run()

