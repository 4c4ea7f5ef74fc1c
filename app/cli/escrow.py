"""``transferdesk escrow``: move held money, retry failures, reconcile with Stripe.

The Stripe secret key comes from the OS keyring (``stripe:test``, or ``stripe:live`` with
``--live``); ``stripe_api_base`` / ``TRANSFERDESK_STRIPE_API_BASE`` points at a local Stripe
(test keys only). Every command prints the mode first, so live money is never a surprise.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.config import load_settings

#: The interval the docs deploy ``escrow process --every`` with (docs/escrow.md); the
#: end-to-end benchmark measures verified -> captured at this interval.
DEPLOYED_EVERY = 60.0


def register(subparsers: Any) -> None:
    """Add ``escrow process|retry|reconcile|problems``."""
    escrow = subparsers.add_parser("escrow", help="capture/cancel Stripe holds, reconcile")
    sub = escrow.add_subparsers(dest="escrow_command", metavar="ACTION", required=True)
    process = sub.add_parser("process", help="capture/cancel every due hold and check expiry")
    retry = sub.add_parser("retry", help="queue failed captures/cancels again, then process")
    retry.add_argument("--transfer", type=int, action="append", metavar="ID",
                       help="only this transfer (repeatable); default: every failed one")
    reconcile = sub.add_parser("reconcile", help="fix local state from Stripe, with audit rows")
    problems = sub.add_parser("problems", help="list holds that did not move as decided")
    process.add_argument("--every", type=float, default=None, metavar="SECONDS",
                         help="keep running: process again every SECONDS until Ctrl-C/SIGTERM "
                         f"(deployed: {DEPLOYED_EVERY:g}); deadlines are swept meanwhile")
    for parser in (process, retry, reconcile):
        parser.add_argument("--live", action="store_true",
                            help="use the live key (stripe:live); the default is test mode")
    process.set_defaults(handler=_process)
    retry.set_defaults(handler=_retry)
    reconcile.set_defaults(handler=_reconcile)
    problems.set_defaults(handler=_problems)


@contextmanager
def _service(args: argparse.Namespace, with_gateway: bool = True) -> Iterator[Any]:
    from app.cli.database import command_database_url
    from app.db.engine import make_engine
    from app.escrow import StripeMode, open_gateway
    from app.escrow.service import EscrowService

    settings = load_settings()
    gateway: Any = None
    if with_gateway:
        mode = StripeMode.LIVE if getattr(args, "live", False) else StripeMode.TEST
        gateway = open_gateway(settings, mode)
        where = settings.stripe_api_base or "api.stripe.com"
        print(f"Stripe {mode.label} ({where})")
    engine = make_engine(command_database_url(settings), pool_size=2)
    try:
        yield EscrowService(engine, gateway, actor_name=settings.display_name or "cli")
    finally:
        engine.dispose()


def _print_results(results: list[Any]) -> None:
    for result in results:
        error = f": {result.error}" if result.error else ""
        print(f"transfer {result.transfer_id}: {result.action.value} -> "
              f"{result.escrow_status}{error}")


def _process(args: argparse.Namespace) -> int:
    from app.escrow.reconcile import check_holds
    from app.services.deadline_runner import deadline_sweeps

    stop = threading.Event()
    if args.every is not None:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with _service(args) as service, deadline_sweeps(service, args.every) as sweep:
        while True:
            sweep()
            results = service.process_all()
            _print_results(results)
            report = check_holds(service)
            print(f"{len(results)} processed; holds checked {report.checked}, "
                  f"{len(report.warned)} expiring soon, {len(report.fixes)} updated", flush=True)
            if args.every is None or stop.wait(args.every):
                return 0


def _retry(args: argparse.Namespace) -> int:
    with _service(args) as service:
        ids = service.retry(args.transfer)
        print(f"queued again: {', '.join(map(str, ids)) if ids else 'nothing failed'}")
        results = service.process_all()
        _print_results(results)
    return 0 if all(r.escrow_status != "failed" for r in results) else 1


def _reconcile(args: argparse.Namespace) -> int:
    from app.escrow.reconcile import reconcile

    with _service(args) as service:
        report = reconcile(service)
    for fix in report.fixes:
        print(f"transfer {fix.transfer_id}: {fix.before} -> {fix.after} "
              f"(Stripe: {fix.payment_intent_id} {fix.stripe_status})")
    for error in report.errors:
        print(f"error: {error}")
    print(f"{report.checked} checked, {len(report.fixes)} fixed, {len(report.errors)} errors")
    return 1 if report.errors else 0


def _problems(args: argparse.Namespace) -> int:
    with _service(args, with_gateway=False) as service:
        rows = service.problems()
    for row in rows:
        due = f", hold lapses {row.hold_expires_at:%Y-%m-%d %H:%M}" if row.hold_expires_at else ""
        error = f": {row.escrow_error}" if row.escrow_error else ""
        print(f"transfer {row.transfer_id} ({row.order_ref}) {row.status}/{row.escrow_status}"
              f"{due}{error}")
    print(f"{len(rows)} escrow problem(s)")
    return 0
