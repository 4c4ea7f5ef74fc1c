"""Per-account pacing so the portal is never hammered."""

from __future__ import annotations

import asyncio
import time


class AccountRateLimiter:
    """At least ``min_interval`` seconds between two portal actions of one account.

    Lives on the browser loop; each account has its own lock so accounts do not wait on
    each other.
    """

    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.waited = 0.0

    async def wait(self, account: str) -> None:
        """Sleep until ``account`` may act again, then mark the action."""
        if self.min_interval <= 0:
            return
        lock = self._locks.setdefault(account, asyncio.Lock())
        async with lock:
            delay = self._last.get(account, float("-inf")) + self.min_interval - time.monotonic()
            if delay > 0:
                self.waited += delay
                await asyncio.sleep(delay)
            self._last[account] = time.monotonic()
