"""The embedded PostgreSQL cluster used when no database URL is configured.

A private cluster in the user data dir: ``initdb`` on first use, started on demand on a free
port with a private socket directory (no TCP listener on POSIX, trust auth over a 0700 socket
dir, so only this OS user can connect), stopped cleanly. A restart reuses the last port when it
is still free, so clients holding the URL keep working across ``db local stop``/``start``;
when it is taken, :func:`app.db.engine.current_url` finds the new one.

PostgreSQL refuses to run as root. When TransferDesk itself runs as root (servers, CI, this
sandbox) every server command is run as the unprivileged ``postgres`` account through
``runuser -u postgres --``, and the cluster directory is owned by that account. If the data
dir is not reachable by ``postgres`` (``/root`` is mode 0700), the cluster goes to
``/var/lib/transferdesk/<hash>/`` instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from app.errors import DependencyMissingError, KnownError
from app.paths import is_root, server_dir

DB_NAME = "transferdesk"
SUPERUSER = "transferdesk"
SERVER_ACCOUNT = "postgres"  # unprivileged account used when we are root
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them "
    "(Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@15`; "
    "Windows: the EDB installer) or set database_url in the config file."
)


class ClusterError(KnownError):
    """The embedded cluster could not be initialised, started or stopped."""


@dataclass(frozen=True)
class ClusterStatus:
    """What ``db local status`` reports."""

    directory: Path
    initialised: bool
    running: bool
    port: int | None


def find_pg_bindir() -> Path:
    """Locate the directory with ``initdb`` and ``pg_ctl``.

    Search order: ``TRANSFERDESK_PG_BINDIR``, ``PATH``, ``pg_config --bindir``, then the usual
    install locations (newest version first).

    Raises:
        DependencyMissingError: no PostgreSQL server binaries on this machine.
    """
    candidates: list[Path] = []
    if override := os.environ.get("TRANSFERDESK_PG_BINDIR"):
        candidates.append(Path(override))
    if found := shutil.which("initdb"):
        candidates.append(Path(found).parent)
    if pg_config := shutil.which("pg_config"):
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    patterns = [
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql@*/bin",
        "/usr/local/opt/postgresql@*/bin",
        "/Applications/Postgres.app/Contents/Versions/*/bin",
        "C:/Program Files/PostgreSQL/*/bin",
    ]
    for pattern in patterns:
        candidates.extend(sorted((Path(p) for p in glob.glob(pattern)), key=_version_key,
                                 reverse=True))
    exe = ".exe" if os.name == "nt" else ""
    for bindir in candidates:
        if (bindir / f"initdb{exe}").exists() and (bindir / f"pg_ctl{exe}").exists():
            return bindir
    raise DependencyMissingError(INSTALL_HINT)


def _version_key(path: Path) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in str(path)).split()
    return tuple(int(d) for d in digits)


def cluster_dir_for(data_dir: Path) -> Path:
    """Return where the cluster for ``data_dir`` lives (see the module docstring for root)."""
    return server_dir(data_dir, "postgres")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on ``port`` of 127.0.0.1 (so the cluster may take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalCluster:
    """A private PostgreSQL cluster in one directory.

    Args:
        directory: the cluster's home; ``data/``, ``run/`` (socket) and ``server.log`` go inside.
        bindir: PostgreSQL binaries; found automatically when omitted.
    """

    def __init__(self, directory: Path, bindir: Path | None = None) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory / "run"
        self.log_file = directory / "server.log"
        self.port_file = directory / "last_port"  # the next start reuses it when free
        self._bindir = bindir

    @property
    def bindir(self) -> Path:
        """The PostgreSQL binaries directory (resolved lazily)."""
        if self._bindir is None:
            self._bindir = find_pg_bindir()
        return self._bindir

    # -- lifecycle ---------------------------------------------------------------------------

    def status(self) -> ClusterStatus:
        """Report whether the cluster exists and runs, and on which port."""
        initialised = (self.data / "PG_VERSION").exists()
        port = self._running_port() if initialised else None
        return ClusterStatus(self.directory, initialised, port is not None, port)

    def start(self, timeout: float = 60.0) -> int:
        """Initialise on first use, start if stopped, and return the port. Idempotent."""
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        port = self._running_port()
        if port is not None:
            return port
        port = self._reusable_port() or free_port()
        self._prepare_dirs()
        opts = f"-p {port} -k {self.socket_dir} -c listen_addresses=''"
        if os.name == "nt":
            opts = f"-p {port} -c listen_addresses=127.0.0.1"
        self._run_server_cmd(
            [str(self.bindir / "pg_ctl"), "start", "-w", "-t", str(int(timeout)), "-D",
             str(self.data), "-l", str(self.log_file), "-o", opts],
            "start the embedded PostgreSQL",
        )
        self._ensure_database(port)
        self._remember_port(port)
        return port

    def stop(self) -> bool:
        """Stop the server (fast shutdown). Returns False when it was not running."""
        if self._running_port() is None:
            return False
        self._run_server_cmd(
            [str(self.bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)],
            "stop the embedded PostgreSQL",
        )
        return True

    def destroy(self) -> None:
        """Stop and delete the cluster (tests and ``db local reset``)."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = DB_NAME) -> str:
        """libpq URL (psql-compatible) of a database in the running cluster.

        Raises:
            ClusterError: the cluster is not running.
        """
        port = self._running_port()
        if port is None:
            raise ClusterError(
                f"the embedded database in {self.directory} is not running; "
                "run `transferdesk db local start`"
            )
        if os.name == "nt":
            return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"
        return f"postgresql://{SUPERUSER}@/{database}?host={quote(str(self.socket_dir))}&port={port}"

    # -- internals ---------------------------------------------------------------------------

    def _running_port(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text(errors="replace").splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        if not _pid_alive(pid):
            return None
        return port

    def _reusable_port(self) -> int | None:
        """The port of the last start when it is free again (clients keep working), else None."""
        try:
            port = int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 and port_is_free(port) else None

    def _remember_port(self, port: int) -> None:
        try:
            self.port_file.write_text(f"{port}\n")
        except OSError:  # only a convenience: the next start picks a new port
            pass

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.socket_dir, 0o700)
        if is_root():
            shutil.chown(self.socket_dir, SERVER_ACCOUNT, SERVER_ACCOUNT)
            if not self.log_file.exists():
                self.log_file.touch()
            shutil.chown(self.log_file, SERVER_ACCOUNT, SERVER_ACCOUNT)

    def _initdb(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if is_root():
            # initdb refuses to run as root: the cluster belongs to the unprivileged account.
            shutil.chown(self.directory, SERVER_ACCOUNT, SERVER_ACCOUNT)
        self._run_server_cmd(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8",
             "--no-locale", "--auth=trust", "--no-instructions"],
            "initialise the embedded PostgreSQL cluster",
        )

    def _ensure_database(self, port: int) -> None:
        import psycopg  # local import keeps `transferdesk --version` fast

        conninfo = self.url("postgres")
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')

    def _run_server_cmd(self, argv: list[str], what: str) -> None:
        if is_root():
            if shutil.which("runuser") is None:
                raise ClusterError(f"cannot {what}: running as root and `runuser` is missing")
            argv = ["runuser", "-u", SERVER_ACCOUNT, "--", *argv]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterError(f"cannot {what}: {exc}") from exc
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            tail = detail[-1] if detail else f"exit code {proc.returncode}"
            raise ClusterError(f"cannot {what}: {tail} (log: {self.log_file})")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

