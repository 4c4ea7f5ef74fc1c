"""The inbox applier loop: woken by NOTIFY ``order_inbox``, with a poll as the fallback.

Many appliers may run at once (desks, workers, ``transferdesk orders inbox``): the claim in
:meth:`~app.intake.service.IntakeService.apply_inbox` skips rows another one holds. The LISTEN
connection only wakes the loop; when it is down the poll still finds every row.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg

from app.db.engine import libpq_url
from app.domain.errors import PermissionDeniedError
from app.intake.service import IntakeService

log = logging.getLogger(__name__)

CHANNEL = "order_inbox"


class InboxApplier:
    """Apply inbox rows until stopped.

    Args:
        service: the intake service (acting as a role that may create transfers).
        database_url: for the LISTEN connection.
        poll_interval: seconds between polls when no notification arrives.
        batch: rows per transaction.
    """

    def __init__(self, service: IntakeService, database_url: str, poll_interval: float = 5.0,
                 batch: int = 50) -> None:
        self.service = service
        self.database_url = libpq_url(database_url)
        self.poll_interval = poll_interval
        self.batch = batch
        self.stop_event = threading.Event()
        self.applied = 0

    def stop(self) -> None:
        """Ask the loop to end (returns at once)."""
        self.stop_event.set()

    def run_once(self) -> int:
        """Apply everything pending now; how many rows were answered."""
        count = self.service.drain_inbox(self.batch)
        self.applied += count
        return count

    def run(self) -> None:
        """Loop until :meth:`stop`; database outages are logged and retried."""
        conn: psycopg.Connection[tuple[object, ...]] | None = None
        try:
            while not self.stop_event.is_set():
                conn = self._listen(conn)
                try:
                    count = self.run_once()
                    if count:
                        log.info("order inbox: answered %d row(s)", count)
                except PermissionDeniedError as exc:
                    log.error("order inbox: not applying (this login needs the "
                              "transferdesk_staff role): %s", exc)
                    return
                except Exception as exc:  # database away: retry after the poll interval
                    log.warning("order inbox: cannot apply rows: %s", str(exc).splitlines()[0])
                self._wait(conn)
        finally:
            if conn is not None:
                conn.close()

    def _listen(self, conn: psycopg.Connection[tuple[object, ...]] | None
                ) -> psycopg.Connection[tuple[object, ...]] | None:
        if conn is not None and not conn.closed:
            return conn
        conn = None
        try:
            conn = psycopg.connect(self.database_url, autocommit=True, connect_timeout=5)
            conn.execute(f"LISTEN {CHANNEL}")
            return conn
        except psycopg.Error as exc:
            if conn is not None:
                conn.close()  # connected, but LISTEN failed: never leave it open
            log.warning("order inbox: LISTEN unavailable, polling: %s", exc)
            return None

    def _wait(self, conn: psycopg.Connection[tuple[object, ...]] | None) -> None:
        if conn is None:
            self.stop_event.wait(self.poll_interval)
            return
        deadline = time.monotonic() + self.poll_interval
        try:
            while not self.stop_event.is_set() and (left := deadline - time.monotonic()) > 0:
                if any(True for _ in conn.notifies(timeout=min(left, 0.5), stop_after=1)):
                    return
        except psycopg.Error as exc:
            log.warning("order inbox: LISTEN connection lost: %s", exc)
            conn.close()
