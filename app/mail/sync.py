"""IMAP sync of one mailbox folder: catch up by UID, then IDLE for new mail.

Two connections, two threads (imapclient is blocking and not thread-safe):

- the **IDLE thread** keeps one connection in IDLE on the folder. Any untagged news (EXISTS,
  RECENT, FETCH, EXPUNGE) wakes the fetch thread. IDLE is ended and re-issued every
  ``idle_refresh`` seconds (servers drop an IDLE after 30 min; RFC 2177 says re-issue within
  29 min, we default to 9). Ending IDLE needs the server's answer within the socket timeout, so
  a silently dead connection is noticed at the next refresh (the watchdog); any error or a BYE
  reconnects with exponential backoff and jitter, then triggers a catch-up fetch, so nothing
  delivered while disconnected is missed.
- the **fetch thread** owns the second connection. On every wake-up (or every
  ``poll_interval`` as a safety net) it runs :meth:`MailboxSync.sync_once`: everything with a
  UID above the stored last UID is fetched in batches and handed to :class:`MailIngest`; the
  position is saved after each batch. A changed UIDVALIDITY restarts from UID 1: messages
  already known are skipped by their unique key, so nothing is counted twice.

Messages over the parse cap are fetched as headers only (stored, not parsed). Optionally,
processed portal messages are moved to ``processed_folder`` or flagged ``\\Seen``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import imapclient
from imapclient.exceptions import IMAPClientError

from app.errors import KnownError
from app.events import EventBus
from app.mail import store
from app.mail.events import CONNECTED, DISCONNECTED, MailboxStatus
from app.mail.imap import CONNECTION_ERRORS, Connect, backoff_delay, close_quietly
from app.mail.ingest import Incoming, IngestResult, MailIngest
from app.mail.parser import TRANSFER_NOTICE, VERIFICATION_CODE

log = logging.getLogger(__name__)
_NEWS = (b"EXISTS", b"RECENT", b"FETCH", b"EXPUNGE")


@dataclass(frozen=True)
class SyncOptions:
    """Timing and housekeeping of a mailbox sync (tests shorten the timings)."""

    idle_refresh: float = 540.0
    poll_interval: float = 120.0
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    fetch_batch: int = 200
    processed_folder: str | None = None
    flag_processed: bool = False


@dataclass(frozen=True)
class SyncReport:
    """The result of one catch-up pass."""

    uidvalidity: int
    last_uid: int
    fetched: int
    new: int
    duplicates: int
    resynced: bool


class MailboxFolderError(KnownError):
    """The configured folder does not exist in the mailbox."""


class ConnectionLostError(ConnectionError):
    """The server said BYE or the IDLE connection stopped answering."""


class MailboxSync:
    """Keeps one folder of one mailbox ingested (see the module docstring)."""

    def __init__(
        self,
        name: str,
        connect: Connect,
        ingest: MailIngest,
        folder: str = "INBOX",
        bus: EventBus | None = None,
        options: SyncOptions | None = None,
    ) -> None:
        self.name, self.folder = name, folder
        self._connect = connect
        self.ingest = ingest
        self.bus = bus or ingest.bus
        self.options = options or SyncOptions()
        self._fetch_conn: imapclient.IMAPClient | None = None
        self._idle_conn: imapclient.IMAPClient | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle_ready = threading.Event()
        self._threads: list[threading.Thread] = []
        self._status: str | None = None
        self._status_lock = threading.Lock()
        self.last_report: SyncReport | None = None
        self.sync_count = 0
        self.idle_cycles = 0  # IDLE commands issued (re-issued every ``idle_refresh``)

    # -- one pass ------------------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """Fetch and ingest everything newer than the stored position (connecting if needed)."""
        if self._fetch_conn is None:
            self._fetch_conn = self._connect()
        conn = self._fetch_conn
        writable = bool(self.options.processed_folder or self.options.flag_processed)
        try:
            info = conn.select_folder(self.folder, readonly=not writable)
        except IMAPClientError as exc:
            if conn.folder_exists(self.folder):
                raise
            raise MailboxFolderError(
                f"mailbox {self.name!r}: folder {self.folder!r} does not exist on the server "
                "(check `folder` in the [[mailboxes]] config)"
            ) from exc
        uidvalidity = int(info[b"UIDVALIDITY"])
        with self.ingest.transaction() as session:
            state = store.sync_state(session, self.name, self.folder)
        resynced = state is not None and state[0] != uidvalidity
        last_uid = state[1] if state is not None and not resynced else 0
        if resynced:
            log.warning("mailbox %s/%s: UIDVALIDITY changed (%s -> %s), resyncing", self.name,
                        self.folder, state[0] if state else None, uidvalidity)
        uids = sorted(u for u in conn.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        new = duplicates = 0
        batch = self.options.fetch_batch
        for start in range(0, len(uids), batch):
            chunk = uids[start:start + batch]
            results = self._fetch_chunk(conn, chunk, uidvalidity)
            new += sum(1 for _, r in results if not r.duplicate)
            duplicates += sum(1 for _, r in results if r.duplicate)
            self._housekeep(conn, results)
            last_uid = chunk[-1]
            with self.ingest.transaction() as session:
                store.save_sync_state(session, self.name, self.folder, uidvalidity, last_uid)
        if not uids and (state is None or resynced):
            with self.ingest.transaction() as session:
                store.save_sync_state(session, self.name, self.folder, uidvalidity, last_uid)
        report = SyncReport(uidvalidity, last_uid, len(uids), new, duplicates, resynced)
        self.last_report = report
        self.sync_count += 1
        return report

    def _fetch_chunk(
        self, conn: imapclient.IMAPClient, chunk: list[int], uidvalidity: int
    ) -> list[tuple[int, IngestResult]]:
        meta: dict[int, dict[bytes, Any]] = conn.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
        cap = self.ingest.max_parse_bytes
        present = [u for u in chunk if u in meta]
        small = [u for u in present if int(meta[u].get(b"RFC822.SIZE", 0)) <= cap]
        large = [u for u in present if u not in set(small)]
        bodies: dict[int, dict[bytes, Any]] = conn.fetch(small, ["BODY.PEEK[]"]) if small else {}
        heads: dict[int, dict[bytes, Any]] = (
            conn.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
        )
        items = []
        for uid in present:
            data = bodies.get(uid) or heads.get(uid) or {}
            raw = bytes(data.get(b"BODY[]") or data.get(b"BODY[HEADER]") or b"")
            internal = meta[uid].get(b"INTERNALDATE")
            items.append(Incoming(
                raw, self.name, self.folder, uidvalidity, uid,
                received_at=internal if isinstance(internal, datetime) else None,
                size=int(meta[uid].get(b"RFC822.SIZE", len(raw))),
            ))
        return list(zip(present, self.ingest.ingest_batch(items), strict=True))

    def _housekeep(
        self, conn: imapclient.IMAPClient, results: list[tuple[int, IngestResult]]
    ) -> None:
        done = [uid for uid, r in results if r.parsed.kind in (TRANSFER_NOTICE, VERIFICATION_CODE)]
        if not done:
            return
        if self.options.flag_processed:
            conn.add_flags(done, [imapclient.SEEN])
        if self.options.processed_folder:
            if not conn.folder_exists(self.options.processed_folder):
                conn.create_folder(self.options.processed_folder)
            conn.move(done, self.options.processed_folder)

    # -- background threads --------------------------------------------------------------------

    def start(self) -> None:
        """Start the IDLE and fetch threads (returns at once)."""
        if self._threads:
            return
        self._stop.clear()
        for target, role in ((self._idle_loop, "idle"), (self._fetch_loop, "fetch")):
            thread = threading.Thread(target=target, name=f"mail-{role}-{self.name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop both threads and log out."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        close_quietly(self._fetch_conn)
        self._fetch_conn = None

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until the IDLE connection is established (tests, the CLI)."""
        return self._idle_ready.wait(timeout)

    def wake(self) -> None:
        """Ask the fetch thread for a catch-up pass now."""
        self._wake.set()

    def _set_status(self, state: str, detail: str = "") -> None:
        with self._status_lock:
            if self._status == state:
                return
            self._status = state
        log.info("mailbox %s/%s %s %s", self.name, self.folder, state, detail)
        self.bus.publish(MailboxStatus(self.name, self.folder, state, detail))

    def _idle_loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._idle_conn = self._connect()
                self._idle_conn.select_folder(self.folder, readonly=True)
                self._set_status(CONNECTED)
                attempt = 0
                self._wake.set()  # catch up on anything delivered while we were away
                if self._idle_conn.has_capability("IDLE"):
                    self._idle_session(self._idle_conn)
                else:  # rare: the server cannot IDLE, so poll
                    log.warning("mailbox %s: server has no IDLE; polling every %.0f s",
                                self.name, self.options.poll_interval)
                    close_quietly(self._idle_conn)
                    self._idle_conn = None
                    while not self._stop.wait(self.options.poll_interval):
                        self._wake.set()
            except Exception as exc:  # any failure: drop the connection and reconnect
                if self._stop.is_set():
                    break
                self._idle_ready.clear()
                self._set_status(DISCONNECTED, f"{type(exc).__name__}: {exc}")
                if not isinstance(exc, (*CONNECTION_ERRORS, KnownError)):
                    log.exception("mailbox %s: IDLE failed", self.name)
                delay = backoff_delay(attempt, self.options.backoff_base, self.options.backoff_cap)
                attempt += 1
                self._stop.wait(delay)
            finally:
                close_quietly(self._idle_conn)
                self._idle_conn = None
        self._idle_ready.clear()

    def _idle_session(self, conn: imapclient.IMAPClient) -> None:
        while not self._stop.is_set():
            conn.idle()
            self.idle_cycles += 1
            self._idle_ready.set()
            deadline = time.monotonic() + self.options.idle_refresh
            early_empty = 0
            while not self._stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                wait = min(remaining, 1.0)
                started = time.monotonic()
                responses = conn.idle_check(timeout=wait)
                self._note(responses)
                # imapclient swallows EOF: a closed socket reads as "ready, but nothing".
                quick = not responses and time.monotonic() - started < wait / 2
                early_empty = early_empty + 1 if quick else 0
                if early_empty >= 3:
                    raise ConnectionLostError("the IDLE connection was closed by the server")
            self._note(conn.idle_done()[1])  # the watchdog: a dead link fails here

    def _note(self, responses: list[Any]) -> None:
        for response in responses:
            if len(response) > 1 and response[1] in _NEWS:
                self._wake.set()
            if response and response[0] == b"BYE":
                raise ConnectionLostError(f"server closed the IDLE connection: {response!r}")

    def _fetch_loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._wake.wait(self.options.poll_interval)
            if self._stop.is_set():
                break
            self._wake.clear()
            try:
                self.sync_once()
                attempt = 0
            except Exception as exc:
                close_quietly(self._fetch_conn)
                self._fetch_conn = None
                if not isinstance(exc, (*CONNECTION_ERRORS, KnownError)):
                    log.exception("mailbox %s: sync failed", self.name)
                else:
                    log.warning("mailbox %s: sync failed, retrying: %s", self.name, exc)
                delay = backoff_delay(attempt, self.options.backoff_base, self.options.backoff_cap)
                attempt += 1
                self._wake.set()  # retry after the backoff
                self._stop.wait(delay)
