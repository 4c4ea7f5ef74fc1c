"""``transferdesk db``: the embedded cluster and migrations."""

from __future__ import annotations

import argparse
from typing import Any

from app.config import load_settings
from app.db.engine import local_cluster, resolve_database_url


def register(subparsers: Any) -> None:
    """Add ``db local start|stop|status|url`` and ``db upgrade``."""
    db = subparsers.add_parser("db", help="database: embedded cluster and migrations")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    local = db_sub.add_parser("local", help="the embedded PostgreSQL cluster")
    local.add_argument("action", choices=["start", "stop", "status", "url"])
    local.set_defaults(handler=_local)
    upgrade = db_sub.add_parser("upgrade", help="migrate the database to the newest schema")
    upgrade.set_defaults(handler=_upgrade)


def _local(args: argparse.Namespace) -> int:
    cluster = local_cluster(load_settings())
    if args.action == "start":
        port = cluster.start()
        print(f"embedded PostgreSQL running on port {port} in {cluster.directory}")
    elif args.action == "stop":
        stopped = cluster.stop()
        print("stopped" if stopped else "not running")
    elif args.action == "status":
        st = cluster.status()
        state = "running" if st.running else ("stopped" if st.initialised else "not initialised")
        on_port = f" on port {st.port}" if st.port else ""
        print(f"{state}{on_port} ({st.directory})")
        return 0 if st.running else 3
    else:
        print(cluster.url())
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from app.db import migrate

    url = resolve_database_url(load_settings())
    migrate.upgrade(url)
    print(f"database at revision {migrate.current_revision(url) or '(empty)'}")
    return 0
