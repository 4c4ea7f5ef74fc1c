"""``transferdesk sandbox``: a local Paciolan-like portal plus a Dovecot mailbox, for demos.

Everything lives in ``<data dir>/sandbox`` and starts fresh each time (the portal's world is in
memory; the mailbox is emptied). Passwords are generated per run and stored in the OS keyring,
like real ones; ``sandbox.json`` there says where everything is (never a password).
Ctrl-C (or SIGTERM) stops the portal and Dovecot cleanly.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from app.cli.arguments import count, port
from app.config import load_settings
from app.credentials import CredentialStore, default_service
from app.paths import server_dir


def register(subparsers: Any) -> None:
    """Add ``sandbox [--seed N] [--port P] [--imap-port P] [--mfa MODE]``."""
    parser = subparsers.add_parser(
        "sandbox", help="run the sandbox ticket portal and mailbox (demo mode)"
    )
    parser.add_argument("--seed", type=count, default=0, metavar="N",
                        help="create N transfers and deliver their notices (default 0)")
    parser.add_argument("--port", type=port, default=0, help="portal port (default: any free)")
    parser.add_argument("--imap-port", type=port, default=0,
                        help="IMAP port (default: any free)")
    parser.add_argument("--mfa", choices=("off", "always", "new_device"), default="off",
                        help="emailed verification codes for the marketplace account")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from automation.sandbox import demo_world

    base = server_dir(load_settings().data_dir, "sandbox")
    store = CredentialStore()
    store.backend  # noqa: B018 - refuse an unusable keyring before starting anything
    mail_dir = base / "mailbox"
    shutil.rmtree(mail_dir, ignore_errors=True)  # a fresh world: no notices of old transfers
    mail_dir.mkdir(parents=True)
    passwords = {slug: secrets.token_urlsafe(12) for slug in demo_world.SITES}
    mail_password = secrets.token_urlsafe(16)
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)  # before anything announces readiness
    try:
        _serve(args, base, store, passwords, mail_password, stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("sandbox stopped", flush=True)
    return 0


def _serve(
    args: argparse.Namespace,
    base: Path,
    store: CredentialStore,
    passwords: dict[str, str],
    mail_password: str,
    stop: threading.Event,
) -> None:
    from automation.sandbox import demo_world
    from automation.sandbox.mailbox import DovecotServer
    from automation.sandbox.portal import SandboxPortal
    from automation.sandbox.sender import ImapDelivery

    mail_dir = base / "mailbox"
    with DovecotServer(mail_dir, port=args.imap_port) as dovecot:
        dovecot.add_user(demo_world.MARKETPLACE_EMAIL, mail_password)
        deliver = ImapDelivery(dovecot.host, dovecot.port, demo_world.MARKETPLACE_EMAIL,
                               mail_password)
        with SandboxPortal(port=args.port, mailer=deliver) as portal:
            accounts = demo_world.build_world(portal, passwords, args.mfa)
            for account in accounts:
                store.set(account.credential, passwords[account.site])
            store.set(demo_world.MAILBOX_CREDENTIAL, mail_password)
            info = demo_world.SandboxInfo(
                portal.base_url, dovecot.host, dovecot.port, demo_world.MARKETPLACE_EMAIL,
                demo_world.MAILBOX_CREDENTIAL, accounts,
            )
            info_path = info.save(base)
            try:
                demo_world.seed_transfers(portal, deliver, accounts, args.seed)
                _print_banner(info, info_path, portal, args.seed)
                _wait_for_stop(stop)
            finally:
                info_path.unlink(missing_ok=True)


def _print_banner(info: Any, info_path: Path, portal: Any, seeded: int) -> None:
    from automation.sandbox.demo_world import SITES

    lines = [
        f"Portal   {info.portal_url}/   (admin JSON: {info.portal_url}/_admin/transfers)",
        *(f"  {SITES[a.site][0]:<28} {portal.site_url(a.site)}/account" for a in info.accounts),
        f"Account  {info.accounts[0].email} on every site "
        f"(verification codes: {info.accounts[0].mfa})",
        f"Mailbox  imap://{info.imap_host}:{info.imap_port}  user {info.mailbox_user} "
        "(plain IMAP, no TLS)",
        f"Passwords are in the OS keyring, service {default_service()!r}: "
        + ", ".join([*(a.credential for a in info.accounts), info.mailbox_credential]),
        f"Seeded {seeded} transfer(s); more: python -m automation.sandbox.sender --count 3",
        f"Details  {info_path}",
        "Sandbox running. Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def _wait_for_stop(stop: threading.Event) -> None:
    """Block until Ctrl-C, or until SIGTERM sets ``stop``."""
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
