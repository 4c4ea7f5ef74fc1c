"""The per-account pause between portal actions."""

from __future__ import annotations

import asyncio
import time

from automation.runs.ratelimit import AccountRateLimiter


def test_actions_of_one_account_are_spaced_other_accounts_do_not_wait() -> None:
    async def scenario() -> tuple[list[float], float]:
        limiter = AccountRateLimiter(0.2)
        start = time.monotonic()
        stamps = []
        for _ in range(3):
            await limiter.wait("a")
            stamps.append(time.monotonic() - start)
        waited = limiter.waited
        await limiter.wait("b")
        return stamps, limiter.waited - waited

    stamps, other_wait = asyncio.run(scenario())
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert all(gap >= 0.19 for gap in gaps), gaps  # a minimum, never a speed claim
    assert other_wait == 0, "account b did not wait for account a"


def test_zero_interval_never_waits() -> None:
    limiter = AccountRateLimiter(0)
    asyncio.run(limiter.wait("a"))
    asyncio.run(limiter.wait("a"))
    assert limiter.waited == 0
