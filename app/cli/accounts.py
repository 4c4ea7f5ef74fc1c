"""``transferdesk accounts``: the portal accounts transfers are sent to.

``accounts add`` records the account in the database and its password in the OS keyring
(``portal:<id>``); the password is prompted (or read from stdin), never taken from argv.
``accounts edit`` and ``accounts remove`` go through :mod:`app.services.account_edit` (the row,
the keyring slot and the saved browser session together; removal retires an account that
transfers refer to). ``accounts edit --test`` then signs in with the saved values through the
desk's own test sign-in (:func:`automation.runs.sign_in_check.check_account_sign_in`).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from app.browser_sessions import SESSIONS_FOLDER
from app.cli.credentials import read_secret
from app.cli.database import command_database_url
from app.config import load_settings
from app.credentials import CredentialStore, check_backend, portal_key
from app.database_url import mask_url
from app.db.engine import make_engine
from app.domain.account_states import AutomationMode
from app.domain.accounts import AccountChanges, check_site_url, check_username
from app.domain.errors import NotFoundError
from app.domain.records import PortalAccountInfo
from app.errors import KnownError

if TYPE_CHECKING:
    from app.services.account_edit import AccountEditService
    from automation.runs.events import Answer


def register(subparsers: Any) -> None:
    """Add ``accounts add|list|mode|edit|remove``."""
    accounts = subparsers.add_parser("accounts", help="portal accounts (Paciolan sites)")
    sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a portal account; prompts for its password")
    add.add_argument("--platform", default="paciolan", help="portal platform (default paciolan)")
    add.add_argument("--site-url", required=True,
                     help="the site's base URL, e.g. https://tickets.example.edu")
    add.add_argument("--username", required=True, help="the sign-in email")
    add.add_argument("--label", default="", help="a name shown to staff")
    add.add_argument("--profile", default=None,
                     help="selector profile (default: detected from the site's sign-in page)")
    add.add_argument("--no-detect", action="store_true",
                     help="do not open the site now: detect the profile at the first sign-in")
    add.set_defaults(handler=_add)
    listing = sub.add_parser("list", help="list portal accounts")
    listing.set_defaults(handler=_list)
    mode = sub.add_parser("mode", help="automatic (default) or assisted: never automate the "
                                       "account's transfers, a person accepts them (supervisors)")
    mode.add_argument("account_id", type=int, help="the account's id (`accounts list`)")
    mode.add_argument("mode", choices=("automatic", "assisted"))
    mode.set_defaults(handler=_mode)
    edit = sub.add_parser("edit", help="change an account's name, username, password, mode or "
                                       "site (supervisors; a password alone: staff too)")
    edit.add_argument("account_id", type=int, help="the account's id (`accounts list`)")
    edit.add_argument("--name", default=None, help="the name shown to staff (its label)")
    edit.add_argument("--username", default=None, help="the new sign-in email")
    edit.add_argument("--password-stdin", action="store_true",
                      help="read a new password (prompted, or one line of stdin); it goes to "
                           "the keyring only")
    edit.add_argument("--mode", choices=[m.value for m in AutomationMode], default=None,
                      help="automatic, or assisted: a person accepts its transfers")
    edit.add_argument("--site-url", default=None, help="the site's new base URL (https)")
    edit.add_argument("--test", action="store_true",
                      help="then sign in to the site for real with the saved values (alone: "
                           "just test); exit code 1 if the sign-in fails, the edit stays saved")
    edit.set_defaults(handler=_edit)
    remove = sub.add_parser("remove", help="retire an account (or delete it when no transfer "
                                           "refers to it), with its password and saved session "
                                           "(supervisors)")
    remove.add_argument("account_id", type=int, help="the account's id (`accounts list`)")
    remove.set_defaults(handler=_remove)


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
    from app.services.account_setup import add_account_with_password

    check_site_url(args.site_url), check_username(args.username)  # before the prompt
    check_backend(probe=True)  # refuse before touching the database if secrets cannot be kept
    password = read_secret(f"{args.username} ({portal_key('<id>')})")
    profile = _chosen_profile(args)
    with _services() as (transfers, _):  # the row and its password, both or neither
        account = add_account_with_password(transfers, args.platform, args.site_url,
                                            args.username, args.label, password, profile=profile)
    print(f"added portal account #{account.id} {account.username} on {account.site_url}; "
          f"password saved in the keyring as {portal_key(str(account.id))}; profile: "
          f"{profile or 'detected at the first sign-in'}")
    return 0


def _chosen_profile(args: argparse.Namespace) -> str | None:
    """The given profile (checked), else the detected one (None: detect at first sign-in)."""
    from automation.portals.profile import load_profile

    if args.profile:
        return load_profile(args.profile).name
    if args.no_detect:
        return None
    from app.cli.portal import _browser
    from automation.portals.tools import detect_profile

    try:
        with _browser() as service:
            name = detect_profile(service, args.platform, args.site_url.rstrip("/"))
    except Exception as exc:  # an unreachable site must not stop adding the account
        print(f"could not open {args.site_url} to detect its profile ({exc}); it is detected "
              "at the first sign-in", file=sys.stderr)
        return None
    if name is None:
        print(f"no shipped profile's sign-in markers match {args.site_url}; it is detected "
              "again at the first sign-in (see docs/portals.md)", file=sys.stderr)
    else:
        print(f"{args.site_url} matches portal profile {name}")
    return name


def _mode(args: argparse.Namespace) -> int:
    from app.services.breakers import BreakerService
    from app.services.ops import desk_role

    settings = load_settings()
    engine = make_engine(command_database_url(settings), pool_size=1)
    try:
        service = BreakerService(engine, settings.display_name or "cli", desk_role(engine))
        old = service.set_automation_mode(args.account_id, args.mode)
    finally:
        engine.dispose()
    print(f"portal account #{args.account_id}: automation mode {old} -> {args.mode}")
    return 0


@contextmanager
def _editor() -> Iterator[AccountEditService]:
    from app.services.account_edit import AccountEditService
    from app.services.ops import desk_role

    settings = load_settings()
    engine = make_engine(command_database_url(settings), pool_size=1)
    try:
        yield AccountEditService(engine, settings.display_name or "cli", desk_role(engine),
                                 sessions_dir=settings.data_dir / SESSIONS_FOLDER)
    finally:
        engine.dispose()


def _edit(args: argparse.Namespace) -> int:
    mode = None if args.mode is None else AutomationMode(args.mode)
    changes = AccountChanges(label=args.name, username=args.username, site_url=args.site_url,
                             automation_mode=mode)
    if args.password_stdin:
        if changes != AccountChanges():
            changes.checked()  # bad input is refused before the prompt
        check_backend(probe=True)  # and so is a keyring that cannot keep the password
        changes = replace(changes, password=read_secret(portal_key(str(args.account_id))))
    if args.test and changes == AccountChanges():  # nothing to change: only the test
        return _test_sign_in(_account(args.account_id), None, edited=False)
    with _editor() as editor:
        edited = editor.edit(args.account_id, changes)
    account = edited.account
    print(f"portal account #{account.id} {account.username} on {account.site_url}: "
          f"{', '.join(edited.changed)} changed"
          + (f"; new password saved in the keyring as {portal_key(str(account.id))}"
             if "password" in edited.changed else "")
          + ("; the saved browser session of the old sign-in was deleted"
             if edited.session_dropped else ""))
    return _test_sign_in(account, changes.password, edited=True) if args.test else 0


def _account(account_id: int) -> PortalAccountInfo:
    with _services() as (_, queue):
        accounts: list[PortalAccountInfo] = queue.accounts()
    for account in accounts:
        if account.id == account_id:
            return account
    raise NotFoundError("portal account", account_id)


def _test_sign_in(account: PortalAccountInfo, password: str | None, *, edited: bool) -> int:
    """Sign in as the account (the new password, else the keyring's), as the desk's Test
    sign-in does; one line either way, exit code 1 when it fails (an edit stays saved)."""
    from app.credentials import KeyringUnavailableError
    from automation.runs.sign_in_check import check_account_sign_in

    kept = "; the edit is saved" if edited else ""
    again = f"`transferdesk accounts edit {account.id} --test`"
    try:
        report = check_account_sign_in(
            load_settings(), account.id, account.platform, account.site_url, account.username,
            password, _ask_code_on_terminal,
            no_password_hint=f"give one with `transferdesk accounts edit {account.id} "
                             "--password-stdin --test`")
    except KeyringUnavailableError:
        print("transferdesk: error: test sign-in not run: the OS keyring is locked or "
              "unreachable, so the password cannot be read (unlock it by signing in to the "
              f"desktop session, then run {again}){kept}", file=sys.stderr)
        return 1
    except KnownError as exc:  # refused, locked, no code, block page, unreachable, no browser
        print(f"transferdesk: error: test sign-in failed on {mask_url(account.site_url)}: "
              f"{exc}{kept}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _ask_code_on_terminal(account: str, answer: Answer) -> None:
    """A verification code the mailbox did not deliver: typed at a terminal, else none.

    Called on the browser's loop, so the prompt waits on its own thread."""
    if not sys.stdin.isatty():
        answer.set(None)
        return

    def ask() -> None:
        try:
            answer.set(input(f"verification code sent to {account} (Enter: none): ").strip()
                       or None)
        except EOFError:
            answer.set(None)

    threading.Thread(target=ask, name="code-prompt", daemon=True).start()


def _remove(args: argparse.Namespace) -> int:
    with _editor() as editor:
        removed = editor.remove(args.account_id)
    account = removed.account
    what = ("retired (its transfers and runs keep naming it; it takes no new transfers)"
            if removed.retired else "deleted (no transfer referred to it)")
    print(f"portal account #{account.id} {account.username} on {account.site_url} {what}; "
          + (f"password deleted from the keyring ({portal_key(str(account.id))})"
             if removed.password_deleted else "it had no password in the keyring")
          + ("; saved browser session deleted" if removed.session_dropped else ""))
    return 0


def _list(args: argparse.Namespace) -> int:
    store = CredentialStore()  # a retired account's slot is gone: it shows "NO", then "retired"
    with _services() as (_, queue):
        accounts: list[PortalAccountInfo] = queue.accounts()
    for acc in accounts:
        has_password = "yes" if store.get(portal_key(str(acc.id))) else "NO"
        print(f"#{acc.id}\t{acc.platform}\t{mask_url(acc.site_url)}\t{acc.username}\t"
              f"password in keyring: {has_password}" + ("" if acc.active else "\tretired"))
    return 0
