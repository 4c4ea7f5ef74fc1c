"""Entry point: parse arguments, dispatch to a command module, turn known errors into one line.

Each command lives in its own module under ``app.cli`` exposing ``register(subparsers)``; the
module list below is the whole command set. Modules import heavy dependencies (Qt, Playwright)
inside their handlers, so ``transferdesk --version`` stays instant and workers never load Qt.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.cli.failures import explain, log_level
from app.cli.selfcheck import map_self_check_flag
from app.errors import KnownError
from app.urls import install_log_redaction

COMMAND_MODULES = (
    "app.cli.gui",
    "app.cli.db",
    "app.cli.selfcheck",
    "app.cli.credentials",
    "app.cli.mail",
    "app.cli.escrow",
    "app.cli.worker",
    "app.cli.sandbox",
    "app.cli.accounts",
    "app.cli.sites",
    "app.cli.portal",
    "app.cli.demo",
    "app.cli.orders",
    "app.cli.webhooks",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every subcommand registered)."""
    parser = _Parser(
        prog="transferdesk",
        description="Verify ticket transfers and release escrow holds.",
    )
    parser.add_argument("--version", action="version", version=f"transferdesk {__version__}")
    parser.add_argument("--log-level", default=None, type=log_level,
                        help="DEBUG, INFO, WARNING or ERROR")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the process exit code."""
    parser = build_parser()
    argv = map_self_check_flag(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.command is None:  # bare `transferdesk` opens the window
        args = parser.parse_args(["gui", *(argv or [])])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=(args.log_level or "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()  # accept links carry tokens: no URL is logged with its query
    try:
        result = args.handler(args)
    except KnownError as exc:
        print(f"transferdesk: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("transferdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # environment failures from libraries: one line; bugs re-raise
        if (message := explain(exc)) is None:
            raise
        print(f"transferdesk: error: {message}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
