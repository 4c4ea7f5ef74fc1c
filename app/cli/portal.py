"""``transferdesk portal``: selector profiles and the tools for when a real site differs.

``profiles`` lists every profile (override, bundled, sandbox) with its file and the accounts
using it; ``use ACCOUNT PROFILE|auto`` records an account's choice; ``detect ACCOUNT`` finds which
profile's sign-in markers match the account's site and records it; ``check PROFILE FILE.html...``
prints one JSON object per saved page (each element and the alternative that matched, or null);
``snapshot --account ID URL`` saves a sanitized copy (HTML + screenshot) of a page opened with the
account's session. See docs/portals.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.cli.database import command_engine
from app.config import load_settings
from app.errors import KnownError


def register(subparsers: Any) -> None:
    """Add ``portal profiles|use|detect|check|snapshot``."""
    portal = subparsers.add_parser("portal", help="portal selector profiles and page tools")
    sub = portal.add_subparsers(dest="portal_command", metavar="ACTION", required=True)
    sub.add_parser("profiles", help="list profiles, their source and the accounts using them"
                   ).set_defaults(handler=_profiles)
    use = sub.add_parser("use", help="record the profile an account uses ('auto': detect)")
    use.add_argument("account", type=int, help="portal account id")
    use.add_argument("profile", help="profile name, or 'auto'")
    use.set_defaults(handler=_use)
    detect = sub.add_parser("detect", help="detect and record an account's profile")
    detect.add_argument("account", type=int, help="portal account id")
    detect.set_defaults(handler=_detect)
    check = sub.add_parser("check", help="match a profile against saved pages (JSON lines)")
    check.add_argument("profile", help="profile name or .toml file")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE.html")
    check.set_defaults(handler=_check)
    snap = sub.add_parser("snapshot", help="save a sanitized copy of a page (HTML + PNG)")
    source = snap.add_mutually_exclusive_group(required=True)
    source.add_argument("--account", type=int, help="portal account id (with URL)")
    source.add_argument("--transfer", type=int,
                        help="the sanitized last page of this transfer's newest drifted run")
    snap.add_argument("--out", type=Path, default=None,
                      help="folder (default: <data dir>/snapshots)")
    snap.add_argument("url", nargs="?", help="the page to open with the account's session")
    snap.set_defaults(handler=_snapshot)


@contextmanager
def _browser(with_sessions: bool = False) -> Iterator[Any]:
    from automation.browser.service import BrowserService
    from automation.browser.storage import StorageStateStore

    settings = load_settings()
    store = None
    if with_sessions:
        from app.credentials import CredentialStore

        key = CredentialStore().storage_key().encode("ascii")
        store = StorageStateStore(settings.data_dir / "browser", key)
    service = BrowserService(settings.browser, store)
    service.start()
    try:
        yield service
    finally:
        service.stop()


def _account(account_id: int) -> Any:
    from app.services.queue import QueueService

    with command_engine() as engine:
        for account in QueueService(engine).accounts():
            if account.id == account_id:
                return account
    raise KnownError(f"no portal account #{account_id} (see `transferdesk accounts list`)")


def _profiles(args: argparse.Namespace) -> int:
    from app.services.portal_profiles import PortalProfileService
    from automation.portals.profile import all_profiles

    users: dict[str | None, list[Any]] = {}
    try:
        with command_engine() as engine:
            users = PortalProfileService(engine).accounts_by_profile()
    except KnownError as exc:
        print(f"accounts not shown: {exc}", file=sys.stderr)
    for name, source, path in all_profiles():
        using = ", ".join(f"#{a.id} {a.username}" for a in users.get(name, [])) or "-"
        print(f"{name}\t{source}\t{path}\taccounts: {using}")
    undecided = users.get(None, [])
    if undecided:
        names = ", ".join(f"#{a.id} {a.username}" for a in undecided)
        print(f"(detected at first sign-in)\t-\t-\taccounts: {names}")
    return 0


def _use(args: argparse.Namespace) -> int:
    from app.services.portal_profiles import PortalProfileService
    from automation.portals.profile import load_profile

    name = None if args.profile == "auto" else load_profile(args.profile).name
    settings = load_settings()
    with command_engine() as engine:
        service = PortalProfileService(engine, actor_name=settings.display_name or "cli")
        account = service.set_profile(args.account, name)
    print(f"portal account #{account.id} uses profile "
          f"{name or '(detected at the next sign-in)'}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from app.services.portal_profiles import PortalProfileService
    from automation.portals.tools import detect_profile

    account = _account(args.account)
    with _browser() as service:
        name = detect_profile(service, account.platform, account.site_url)
    if name is None:
        raise KnownError(f"no profile's sign-in markers match {account.site_url}: save the "
                         "sign-in page and run `transferdesk portal check`")
    with command_engine() as engine:
        PortalProfileService(engine, actor_name="cli").set_profile(account.id, name)
    print(f"portal account #{account.id}: {account.site_url} matches profile {name} (recorded)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from automation.portals.profile import load_profile
    from automation.portals.tools import check_pages

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise KnownError(f"no such file: {', '.join(missing)}")
    profile = load_profile(args.profile)
    with _browser() as service:
        for report in check_pages(service, profile, list(args.files)):
            print(json.dumps(report))
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    from app.credentials import CredentialStore, portal_key
    from automation.portals.tools import snapshot_url

    folder = args.out or load_settings().data_dir / "snapshots"
    if args.transfer is not None:
        return _run_snapshot(args.transfer, folder)
    if not args.url:
        raise KnownError("portal snapshot --account needs the URL of the page to open")
    account = _account(args.account)
    password = CredentialStore().get(portal_key(str(account.id))) or ""
    stem = f"account{account.id}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    with _browser(with_sessions=True) as service:
        shot = snapshot_url(service, f"{account.site_url}|{account.username}", args.url,
                            folder, stem, [password, account.username])
    print(f"sanitized snapshot of {shot.url}: {shot.html_path} and {shot.screenshot_path}")
    return 0


def _run_snapshot(transfer_id: int, folder: Path) -> int:
    """Export the sanitized page a drifted run of ``transfer_id`` attached as evidence."""
    from app.evidence import EvidenceStore
    from automation.portals.snapshot import SANITIZED_PREFIX

    with command_engine() as engine:
        store = EvidenceStore(engine)
        pages = [e for e in store.for_transfer(transfer_id)
                 if e.filename.startswith(SANITIZED_PREFIX)]
        if not pages:
            raise KnownError(f"transfer #{transfer_id} has no sanitized page (only runs that "
                             "ended selector_drift attach one)")
        info, content = store.read(max(pages, key=lambda e: e.id).id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / info.filename
    path.write_bytes(content)
    print(f"sanitized page of transfer #{transfer_id} (evidence #{info.id}): {path}")
    return 0
