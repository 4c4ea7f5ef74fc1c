"""Verification codes for the browser runner: wait for the portal's code email.

:meth:`CodeReader.wait_for_code` reads the mailbox directly over its own IMAP connection
(independent of the sync threads, so it works in a worker that does not sync mail), looks at
messages that arrived after ``newer_than``, and returns the code of the newest verification
email addressed to the account. Between looks it waits in IDLE, so a code is seen within
moments of its delivery.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import imapclient

from app.mail.imap import Connect, close_quietly
from app.mail.parser import VERIFICATION_CODE, parse_message

#: Portal clocks and IMAP INTERNALDATE can disagree a little.
CLOCK_SLACK = timedelta(seconds=5)


class CodeReader:
    """Finds verification codes in one mailbox folder.

    Args:
        connect: opens a logged-in IMAP connection (see :func:`app.mail.imap.connector`).
        folder: where the portal's emails arrive.
        check_interval: longest wait between two looks (IDLE usually wakes it sooner).
    """

    def __init__(self, connect: Connect, folder: str = "INBOX", check_interval: float = 5.0):
        self._connect = connect
        self.folder = folder
        self.check_interval = check_interval

    def wait_for_code(
        self, account_email: str, newer_than: datetime, timeout: float
    ) -> str | None:
        """The newest code for ``account_email`` that arrived after ``newer_than``.

        Returns:
            The code, or None when none arrived within ``timeout`` seconds.
        """
        since = newer_than if newer_than.tzinfo else newer_than.replace(tzinfo=UTC)
        deadline = time.monotonic() + timeout
        conn = self._connect()
        seen: set[int] = set()
        try:
            conn.select_folder(self.folder, readonly=True)
            while True:
                code = self._scan(conn, account_email.lower(), since, seen)
                remaining = deadline - time.monotonic()
                if code is not None or remaining <= 0:
                    return code
                conn.idle()
                try:
                    conn.idle_check(timeout=min(remaining, self.check_interval))
                finally:
                    conn.idle_done()
        finally:
            close_quietly(conn)

    def _scan(
        self, conn: imapclient.IMAPClient, account: str, since: datetime, seen: set[int]
    ) -> str | None:
        day = (since - timedelta(days=1)).date()
        uids = [u for u in conn.search(["SINCE", day]) if u not in seen]
        if not uids:
            return None
        arrivals: dict[int, datetime] = {}  # dates first: bodies only of fresh messages
        for uid, data in conn.fetch(uids, ["INTERNALDATE"]).items():
            seen.add(uid)
            arrived = data.get(b"INTERNALDATE")
            if not isinstance(arrived, datetime):
                continue
            if arrived.tzinfo is None:
                arrived = arrived.replace(tzinfo=UTC)
            if arrived >= since - CLOCK_SLACK:
                arrivals[uid] = arrived
        if not arrivals:
            return None
        found: list[tuple[datetime, int, str]] = []
        for uid, data in conn.fetch(list(arrivals), ["BODY.PEEK[]"]).items():
            parsed = parse_message(bytes(data.get(b"BODY[]", b"")))
            if parsed.kind != VERIFICATION_CODE or not parsed.code:
                continue
            if parsed.to_addrs and account not in parsed.to_addrs:
                continue
            found.append((arrivals[uid], uid, parsed.code))
        return max(found)[2] if found else None  # newest; same second: the higher UID
