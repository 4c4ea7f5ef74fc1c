"""``transferdesk gui``: open the staff window (the only command that loads Qt)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``gui`` command."""
    gui = subparsers.add_parser("gui", help="open the TransferDesk window (the default)")
    gui.add_argument(
        "--quit-after", type=float, default=None, metavar="SECONDS",
        help="close the window after SECONDS (screenshots, smoke tests)",
    )
    gui.set_defaults(handler=_gui)


def _gui(args: argparse.Namespace) -> int:
    from ui.application import run_gui  # lazy: the composition root is the only app→ui edge

    return run_gui(quit_after=args.quit_after)
