"""The browser thread: one asyncio loop and one Playwright instance, per-account contexts."""
