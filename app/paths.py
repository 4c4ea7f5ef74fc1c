"""Directories for the private servers TransferDesk runs (PostgreSQL, the sandbox's Dovecot).

Those servers run under unprivileged accounts when TransferDesk runs as root (PostgreSQL and
Dovecot's mail processes refuse root), so their directories must be reachable by other
accounts. The default data dir of root (``/root/...``, mode 0700) is not; in that case the
server's directory moves to ``/var/lib/transferdesk/<hash of the data dir>/<name>``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

ROOT_SERVER_BASE = Path("/var/lib/transferdesk")


def is_root() -> bool:
    """True when running as root (POSIX)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def reachable_by_others(path: Path) -> bool:
    """True when every existing ancestor of ``path`` can be traversed by another account."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def server_dir(data_dir: Path, name: str) -> Path:
    """Where the private server ``name`` keeps its files for this data dir."""
    if is_root() and not reachable_by_others(data_dir):
        digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
        path = ROOT_SERVER_BASE / digest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for level in (ROOT_SERVER_BASE, path.parent):
            level.chmod(0o755)
        return path
    return data_dir / name
