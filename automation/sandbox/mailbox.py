"""A private Dovecot IMAP server for the sandbox and the tests.

Dovecot runs from its own config file (``dovecot -F -c FILE``) with its own runtime, state and
log paths, so it never touches (or needs) the system instance. It listens on 127.0.0.1 only, plain
IMAP without TLS, and authenticates against one passwd-file per user that
:meth:`DovecotServer.add_user` writes (a new file is read at the user's first login; one shared
file would only be re-checked once per second, so a user added just now could be refused).

Mail is stored as maildir under ``base_dir/mail``. Dovecot refuses to serve mail as root
("Mail access not allowed for root", whatever ``first_valid_uid`` says), so when started by root
the mail processes run as a dedicated system account, ``transferdesk-mail`` (created on first use
with ``useradd --system``): not ``dovecot``/``dovenull``, which Dovecot reserves for its own
services, and not ``nobody``, which other daemons share. ``base_dir/mail`` is chowned to it, so
``base_dir`` must be reachable by that account (e.g. a ``mkdtemp`` dir directly under ``/tmp``, not
pytest's private 0700 tree). Started by a normal user, every service runs as that user.

A small ``sh`` supervisor keeps Dovecot tied to this process through a stdin pipe: :meth:`stop`
closes it, and so does the kernel if this process dies, so no server outlives its owner.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import imapclient

from app.errors import DependencyMissingError, KnownError
from automation.sandbox.lifecycle import LocalServer

HOST = "127.0.0.1"
MAIL_ACCOUNT = "transferdesk-mail"
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin"  # searched after PATH: sbin is often not on a user's PATH
START_TIMEOUT = 20.0
# Runs Dovecot in the foreground and stops it when our end of its stdin pipe closes: on stop(),
# or when this process dies in any way (a killed test run leaves no server behind).
_SUPERVISOR = (
    'exec 3<&0; server="$1"; shift; "$server" "$@" 3<&- & pid=$!; '
    '( cat >/dev/null; kill -TERM "$pid" 2>/dev/null ) <&3 >/dev/null 2>&1 & '
    'exec 3<&-; wait "$pid"'
)
_USERNAME = re.compile(r"^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]{0,63}$")  # also a file name

CONFIG_TEMPLATE = """\
# Private Dovecot for TransferDesk's sandbox / tests. Generated: do not edit.
protocols = imap
listen = {host}
base_dir = {run_dir}
state_dir = {state_dir}
instance_name = transferdesk-{instance}
log_path = {log_path}
info_log_path = {log_path}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = {uid}
last_valid_uid = 0
first_valid_gid = {gid}
mail_uid = {uid}
mail_gid = {gid}
mail_privileged_group =
default_internal_user = {internal_user}
default_login_user = {login_user}
mail_location = maildir:{mail_dir}/%u
mail_fsync = never
mailbox_idle_check_interval = 1 secs
shutdown_clients = yes
passdb {{
  driver = passwd-file
  args = username_format=%u {users_dir}/%u
}}
userdb {{
  driver = static
  args = home={home_dir}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0600
    user = {owner}
  }}
}}
"""


class DovecotError(KnownError):
    """Dovecot could not be started or refused an operation."""


def _find_program(name: str, package: str = "dovecot-imapd") -> str:
    found = shutil.which(name) or shutil.which(name, path=SYSTEM_PATH)
    if found is None:
        raise DependencyMissingError(
            f"'{name}' not found: install it (Debian/Ubuntu: apt-get install {package})"
        )
    return found


def _ssha256(password: str) -> str:
    """Dovecot's salted SHA-256 scheme: the passwd-files never hold a password in clear."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha256(password.encode("utf-8") + salt).digest()
    return "{SSHA256}" + base64.b64encode(digest + salt).decode("ascii")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _mail_account() -> pwd.struct_passwd:
    """The account mail is served as: ``MAIL_ACCOUNT`` when root (created if missing), else us."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(MAIL_ACCOUNT)
    useradd = _find_program("useradd", package="passwd")
    proc = subprocess.run(
        [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
         "--shell", "/usr/sbin/nologin", MAIL_ACCOUNT],
        capture_output=True, text=True, timeout=60, check=False,
    )
    try:
        return pwd.getpwnam(MAIL_ACCOUNT)  # also fine if a concurrent run created it first
    except KeyError:
        raise DovecotError(
            f"cannot create the system account {MAIL_ACCOUNT!r}: {proc.stderr.strip()}"
        ) from None


def _check_reachable(path: Path, uid: int) -> None:
    """Raise unless every directory above ``path`` can be traversed by ``uid``."""
    for parent in [path, *path.parents]:
        info = parent.stat()
        if info.st_uid != uid and not info.st_mode & 0o001:
            raise DovecotError(
                f"{path} is not reachable by the mail account (uid {uid}): {parent} is not "
                "world-searchable; use a base dir such as tempfile.mkdtemp() under /tmp"
            )


class DovecotServer(LocalServer):
    """A Dovecot IMAP server on 127.0.0.1 with a private config under ``base_dir``.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, base_dir: Path, port: int = 0) -> None:
        self.base_dir = Path(base_dir)
        self.host = HOST
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._run_dir: Path | None = None
        self._account: pwd.struct_passwd | None = None
        self.config_path = self.base_dir / "dovecot.conf"
        self.log_path = self.base_dir / "dovecot.log"
        self.mail_dir = self.base_dir / "mail"

    @property
    def users_dir(self) -> Path:
        """The dir of per-user passwd-files Dovecot authenticates against."""
        if self._run_dir is None:
            raise DovecotError("the Dovecot server is not started")
        return self._run_dir / "users"

    def start(self) -> None:
        """Write the config, start Dovecot in the foreground and wait until it greets.

        Raises:
            DependencyMissingError: Dovecot is not installed.
            DovecotError: it exited or did not answer in time (the log tail is in the message).
        """
        if self._process is not None:
            return
        dovecot = _find_program("dovecot")
        if self.port == 0:
            self.port = _free_port()
        self._prepare_dirs()
        self.config_path.write_text(self._render_config(), encoding="utf-8")
        self._process = subprocess.Popen(  # a fixed script; paths go in as "$@"
            ["/bin/sh", "-c", _SUPERVISOR, "dovecot-supervisor", dovecot, "-F", "-c",
             str(self.config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: nothing else is hit by a killpg
        )
        try:
            self._wait_until_greeting()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop Dovecot (and its sessions) and remove the runtime dir. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the supervisor then sends Dovecot SIGTERM
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            if process.stderr is not None:
                process.stderr.close()
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    def add_user(self, username: str, password: str) -> None:
        """Create a mail user; it can log in immediately.

        Raises:
            ValueError: the name or password cannot be stored in a passwd-file.
        """
        if not _USERNAME.match(username):
            raise ValueError(f"invalid mail user name {username!r}")
        if not password or any(ch in password for ch in ":\n\r"):
            raise ValueError("a mail password must be non-empty without ':' or line breaks")
        line = f"{username}:{_ssha256(password)}::::::\n"
        staging = self.users_dir / f".{username}.new"
        staging.write_text(line, encoding="utf-8")
        staging.replace(self.users_dir / username)  # atomic: never a half-written file

    def connect(self, username: str, password: str) -> imapclient.IMAPClient:
        """Return an IMAP connection logged in as ``username`` (the caller logs out)."""
        client = imapclient.IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        try:
            client.login(username, password)
        except BaseException:
            client.shutdown()
            raise
        return client

    def append(
        self, username: str, password: str, message: bytes, folder: str = "INBOX"
    ) -> int:
        """Deliver ``message`` into the user's ``folder`` over IMAP and return its UID."""
        client = self.connect(username, password)
        try:
            if folder.upper() != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, message)
        finally:
            client.logout()
        match = re.search(rb"\[APPENDUID \d+ (\d+)\]", response)
        if match is None:
            raise DovecotError(f"APPEND gave no UID: {response!r}")
        return int(match.group(1))

    def kick(self, username: str) -> None:
        """Disconnect every IMAP session of ``username`` from the server side."""
        doveadm = _find_program("doveadm")
        proc = subprocess.run(
            [doveadm, "-c", str(self.config_path), "kick", username],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if proc.returncode not in (0, 68):  # 68 = EX_NOUSER: no session to kick
            raise DovecotError(f"doveadm kick {username} failed: {proc.stderr.strip()}")

    def _prepare_dirs(self) -> None:
        account = self._account = _mail_account()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.base_dir.chmod(0o755)
        _check_reachable(self.base_dir, account.pw_uid)
        (self.base_dir / "state").mkdir(exist_ok=True)
        for mail_owned in (self.mail_dir, self.base_dir / "home"):
            mail_owned.mkdir(exist_ok=True)
            os.chown(mail_owned, account.pw_uid, account.pw_gid)
        # Sockets and the passwd-file go in a short, world-traversable dir: unix socket paths are
        # limited to ~108 bytes, and Dovecot's unprivileged services (dovenull, dovecot) must reach
        # them even when base_dir sits inside a private (0700) temp dir.
        self._run_dir = Path(tempfile.mkdtemp(prefix="td-dovecot-"))
        self._run_dir.chmod(0o755)
        self.users_dir.mkdir(mode=0o750)
        if os.geteuid() == 0:  # readable by Dovecot's auth service only (it runs as dovecot)
            os.chown(self.users_dir, 0, pwd.getpwnam("dovecot").pw_gid)

    def _render_config(self) -> str:
        assert self._run_dir is not None and self._account is not None
        uid, gid = self._account.pw_uid, self._account.pw_gid
        owner = pwd.getpwuid(os.geteuid()).pw_name
        root = os.geteuid() == 0
        return CONFIG_TEMPLATE.format(
            host=HOST,
            port=self.port,
            run_dir=self._run_dir,
            state_dir=self.base_dir / "state",
            instance=self._run_dir.name,
            log_path=self.log_path,
            uid=uid,
            gid=gid,
            owner=owner,
            internal_user="dovecot" if root else owner,
            login_user="dovenull" if root else owner,
            mail_dir=self.mail_dir,
            home_dir=self.base_dir / "home",
            users_dir=self.users_dir,
        )

    def _wait_until_greeting(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode(errors="replace") if (
                    self._process.stderr
                ) else ""
                detail = " | ".join(stderr.strip().splitlines()) or self._log_tail()
                raise DovecotError(f"dovecot exited at start: {detail}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(256).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise DovecotError(f"dovecot did not answer on port {self.port}; {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return ("log: " + " | ".join(lines[-5:])) if lines else ""
