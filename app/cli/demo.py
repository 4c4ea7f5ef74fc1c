"""``transferdesk demo``: the live demo on embedded defaults, with or without the window.

``demo`` starts the orchestrator (database, sandbox portal, Dovecot, localstripe, seeded queue,
mail sync, escrow timer, background sender; the built-in worker with ``--auto``) and opens the
window on it. ``demo --self-test`` runs the same headless, sends ``--count`` transfers and exits
0 only if every one went email -> matched -> accepted -> verified -> captured, printing JSON.
Closing the window, Ctrl-C or SIGTERM stops everything the demo started, in reverse order.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from types import FrameType
from typing import Any

from app.cli.arguments import count, seconds


def register(subparsers: Any) -> None:
    """Add ``demo [--auto] [--interval S] [--seed N] [--self-test [--count N]]``."""
    demo = subparsers.add_parser(
        "demo", help="the live demo: sandbox portal, mailbox, Stripe, demo queue and the window"
    )
    demo.add_argument("--auto", action="store_true",
                      help="run the built-in worker (accepts without a click)")
    demo.add_argument("--interval", type=seconds, default=None, metavar="S",
                      help="send a new transfer every S seconds (default 15; self-test 1)")
    demo.add_argument("--seed", type=count, default=None, metavar="N",
                      help="seed N transfers in every state first (default 200; self-test 20)")
    demo.add_argument("--self-test", action="store_true",
                      help="no window: run the chain for --count transfers, print JSON, exit")
    demo.add_argument("--count", type=count, default=5, metavar="N",
                      help="transfers the self-test sends and waits for (default 5)")
    demo.add_argument("--timeout", type=seconds, default=None, metavar="S",
                      help="self-test time limit (default 120 + 20 per transfer)")
    demo.add_argument("--quit-after", type=seconds, default=None, metavar="S",
                      help="close the window after S seconds (screenshots, smoke tests)")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from app.config import load_settings
    from automation.demo.orchestrator import DemoOptions, DemoOrchestrator

    self_test = bool(args.self_test)
    options = DemoOptions(
        seed_count=args.seed if args.seed is not None else (20 if self_test else 200),
        interval=args.interval or (1.0 if self_test else 15.0),
        send_limit=args.count if self_test else None,
        auto=args.auto or self_test,
    )
    demo = DemoOrchestrator(load_settings(), options)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # unwinds to the finally below, which stops everything

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        demo.start()
        if self_test:
            return _self_test(demo, args.count, args.timeout)
        _stop_then_exit_on_signal(demo)
        return _window(demo, args.quit_after)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM cannot cut the stop
        demo.stop()
        signal.signal(signal.SIGTERM, previous)


def _stop_then_exit_on_signal(demo: Any) -> None:
    """With the window open, Ctrl-C / SIGTERM stop the demo, then end the process.

    Qt swallows exceptions raised in its slots, so a KeyboardInterrupt cannot unwind the event
    loop; the handler stops everything the demo started itself, then exits (code 130).
    """

    def on_signal(signum: int, frame: FrameType | None) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        print("transferdesk: interrupted; stopping the demo", file=sys.stderr, flush=True)
        demo.stop()
        logging.shutdown()
        os._exit(130)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)


def _self_test(demo: Any, count: int, timeout: float | None) -> int:
    from automation.demo.selftest import summarize, wait_for_chain

    started = time.monotonic()
    timings = wait_for_chain(demo, count, timeout or 120.0 + 20.0 * count)
    summary = summarize(demo, count, timings, time.monotonic() - started)
    print(json.dumps(summary, sort_keys=True), flush=True)
    return 0 if summary["ok"] else 1


def _window(demo: Any, quit_after: float | None) -> int:
    from app.cli import gui  # the gui command is the one place that loads Qt

    os.environ["TRANSFERDESK_DATABASE_URL"] = demo.database_url
    os.environ["TRANSFERDESK_DATA_DIR"] = str(demo.demo_dir)
    os.environ["TRANSFERDESK_KEYRING_SERVICE"] = demo.keyring_service
    if demo.settings.stripe_api_base:
        os.environ["TRANSFERDESK_STRIPE_API_BASE"] = demo.settings.stripe_api_base
    print(f"demo: portal {demo.portal.base_url}/, log {demo.demo_dir / 'demo.log'}; "
          "close the window to stop", flush=True)
    return int(gui._gui(argparse.Namespace(quit_after=quit_after)))
