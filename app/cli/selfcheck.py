"""``transferdesk self-check`` (also ``transferdesk --self-check``): prove an install works.

Runs every check even when one fails and prints one line per check, ``OK`` or ``FAIL``, then a
summary; exits 0 only when every check passed. Meant for staff machines after an install, for
servers before starting workers, and for the smoke test of the frozen bundle.

Checks:
    database    open the configured database, or start the embedded cluster.
    migrations  migrate to the newest schema and confirm the database is at head.
    resources   find the resources tree, parse its data files, load every portal profile.
    keyring     the OS keyring backend is usable and not a plaintext or null one. A missing
                Secret Service fails the check: portal and mailbox passwords cannot be stored.
    browser     launch the configured browser once, headless, and render a page.

An embedded cluster that the check had to start is stopped again at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.config import Settings, load_settings
from app.errors import KnownError

CHECK_NAMES = ("database", "migrations", "resources", "keyring", "browser")
SELF_CHECK_FLAG = "--self-check"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its name, whether it passed, and what it found."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """The printed line, e.g. ``OK   database: embedded PostgreSQL 15.8``."""
        return f"{'OK' if self.ok else 'FAIL':<4} {self.name}: {self.detail}"


def register(subparsers: Any) -> None:
    """Add the ``self-check`` command."""
    cmd = subparsers.add_parser(
        "self-check",
        help="check database, migrations, resources, keyring and browser, then exit",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    cmd.add_argument(
        "--skip", action="append", choices=CHECK_NAMES, default=[], metavar="CHECK",
        help=f"leave a check out (repeatable): {', '.join(CHECK_NAMES)}",
    )
    cmd.set_defaults(handler=_self_check)


def map_self_check_flag(argv: list[str]) -> list[str]:
    """Turn the top-level ``--self-check`` flag into the ``self-check`` subcommand."""
    return ["self-check" if arg == SELF_CHECK_FLAG else arg for arg in argv]


def _self_check(args: argparse.Namespace) -> int:
    results = run_checks(load_settings(), skip=frozenset(args.skip))
    for result in results:
        print(result.line(), flush=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"self-check: FAILED ({', '.join(failed)})")
        return 1
    print(f"self-check: all {len(results)} checks passed")
    return 0


def run_checks(settings: Settings, skip: frozenset[str] = frozenset()) -> list[CheckResult]:
    """Run every check not in ``skip``, in order, and return their results."""
    context = _Context(settings)
    checks: list[tuple[str, Callable[[], str]]] = [
        ("database", context.check_database),
        ("migrations", context.check_migrations),
        ("resources", _check_resources),
        ("keyring", _check_keyring),
        ("browser", lambda: _check_browser(settings)),
    ]
    results: list[CheckResult] = []
    try:
        for name, check in checks:
            if name not in skip:
                results.append(_run_one(name, check))
    finally:
        context.close()
    return results


def _run_one(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, True, check())
    except Exception as exc:  # a diagnostic reports every failure, bug or not
        message = str(exc).strip().splitlines()
        return CheckResult(name, False, f"{type(exc).__name__}: {message[0] if message else ''}")


class _Context:
    """State shared by the database checks: the URL, and whether we started the cluster."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._url: str | None = None
        self._started_cluster = False

    def database_url(self) -> str:
        """Resolve the database URL once, noting whether the embedded cluster was started."""
        if self._url is None:
            from app.db.engine import local_cluster, resolve_database_url

            if self._settings.uses_embedded_database:
                self._started_cluster = not local_cluster(self._settings).status().running
            self._url = resolve_database_url(self._settings)
        return self._url

    def check_database(self) -> str:
        """Connect and report the server version and where the database lives."""
        import psycopg

        from app.db.engine import libpq_url

        with psycopg.connect(libpq_url(self.database_url()), connect_timeout=15) as conn:
            version = conn.execute("SHOW server_version").fetchone()
            where = conn.info.dbname
        kind = "embedded" if self._settings.uses_embedded_database else "configured"
        return f"{kind} PostgreSQL {version[0] if version else '?'}, database {where}"

    def check_migrations(self) -> str:
        """Upgrade to head and confirm the revision."""
        from app.db import migrate

        url = self.database_url()
        migrate.upgrade(url)
        current, head = migrate.current_revision(url), migrate.head_revision()
        if current != head:
            raise RuntimeError(f"database at {current}, newest is {head}")
        return f"at head ({head or 'no migrations'})"

    def close(self) -> None:
        """Stop the embedded cluster if this check started it."""
        if self._started_cluster:
            from app.db.engine import local_cluster

            try:
                local_cluster(self._settings).stop()
            except KnownError as exc:  # the results matter more; say so and carry on
                logging.getLogger(__name__).warning("could not stop the embedded database: %s", exc)


def _check_resources() -> str:
    from app.resources import resources_root
    from automation.portals.profile import available_profiles, load_profile

    root = resources_root()
    if not root.is_dir():
        raise FileNotFoundError(f"resources missing: {root}")
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in files:  # every data file must parse
        try:
            if path.suffix == ".toml":
                tomllib.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
    profiles = available_profiles(("override", "bundled", "sandbox"))
    for name in profiles:
        load_profile(name)  # and every portal profile (overrides too) must be valid
    names = ", ".join(profiles) or "none"
    return f"{len(files)} files in {root}; portal profiles: {names}"


def _check_keyring() -> str:
    from app.credentials import backend_name, check_backend

    backend = check_backend(probe=True)  # a locked keyring or a dead D-Bus fails here
    parts = getattr(backend, "backends", [backend])
    return f"backend {', '.join(backend_name(part) for part in parts)}, unlocked"


def _check_browser(settings: Settings) -> str:
    from playwright.sync_api import sync_playwright

    from automation.browser_launch import launch_kwargs

    kwargs = launch_kwargs(replace(settings.browser, headless=True))
    source = kwargs.get("channel") or kwargs.get("executable_path") or "Playwright's bundled"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**kwargs)
        try:
            page = browser.new_page()
            page.set_content("<title>self-check</title><p>ok</p>")
            if page.title() != "self-check" or page.inner_text("p") != "ok":
                raise RuntimeError("the browser did not render a test page")
            version = browser.version
        finally:
            browser.close()
    return f"Chromium {version} ({source}), headless page rendered"
