"""``transferdesk credentials``: store, check and delete secrets in the OS keyring.

Secrets are read with a hidden prompt, or from stdin when it is not a terminal
(``printf %s "$PW" | transferdesk credentials set portal box-office``); never from argv,
where other users could see them in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.credentials import KINDS, CredentialStore, backend_name, check_backend, credential_key
from app.errors import KnownError

_NAME_HELP = "account or mailbox name; for stripe: test or live"


def register(subparsers: Any) -> None:
    """Add ``credentials set|check|delete``."""
    cred = subparsers.add_parser("credentials", help="secrets in the OS keyring")
    sub = cred.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    set_cmd = sub.add_parser("set", help="store a secret (prompted, or read from stdin)")
    set_cmd.add_argument("kind", choices=KINDS)
    set_cmd.add_argument("name", help=_NAME_HELP)
    set_cmd.set_defaults(handler=_set)
    check = sub.add_parser("check", help="show the keyring backend and check it is usable")
    check.set_defaults(handler=_check)
    delete = sub.add_parser("delete", help="remove a stored secret")
    delete.add_argument("kind", choices=KINDS)
    delete.add_argument("name", help=_NAME_HELP)
    delete.set_defaults(handler=_delete)


def _key(args: argparse.Namespace) -> str:
    try:
        return credential_key(args.kind, args.name)
    except ValueError as exc:
        raise KnownError(str(exc)) from exc


def read_secret(key: str) -> str:
    """Read a secret with a hidden prompt, or one line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        secret = getpass.getpass(f"secret for {key}: ")
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise KnownError(f"empty secret for {key}; nothing saved")
    return secret


def _set(args: argparse.Namespace) -> int:
    key = _key(args)
    store = CredentialStore()
    check_backend(probe=True)  # fail before prompting if the keyring is unusable
    store.set(key, read_secret(key))
    print(f"saved {key} in the keyring ({backend_name(store.backend)})")
    return 0


def _check(args: argparse.Namespace) -> int:
    backend = check_backend(probe=True)
    print(f"keyring backend: {backend_name(backend)} (usable)")
    return 0


def _delete(args: argparse.Namespace) -> int:
    key = _key(args)
    if CredentialStore().delete(key):
        print(f"deleted {key}")
        return 0
    print(f"nothing stored for {key}")
    return 3
