"""Live frames of a page via CDP ``Page.startScreencast``, throttled for the run panel."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import CDPSession, Page

log = logging.getLogger(__name__)


class Screencast:
    """Stream JPEG frames of ``page`` to ``on_frame``, at most ``fps`` per second.

    Args:
        page: a Chromium page.
        on_frame: called on the browser loop with each JPEG (keep it quick).
        fps: the frame-rate ceiling (about 5 for the panel).
    """

    def __init__(self, page: Page, on_frame: Callable[[bytes], None], fps: float = 5.0) -> None:
        self._page = page
        self._on_frame = on_frame
        self._interval = 1.0 / fps
        self._last = 0.0
        self._cdp: CDPSession | None = None
        self._acks: set[asyncio.Task[None]] = set()
        self.frames_sent = 0

    async def start(self) -> None:
        """Begin streaming (a failure only disables the live view, never the run)."""
        try:
            self._cdp = await self._page.context.new_cdp_session(self._page)
            self._cdp.on("Page.screencastFrame", self._handle)
            await self._cdp.send(
                "Page.startScreencast",
                {"format": "jpeg", "quality": 60, "maxWidth": 1280, "maxHeight": 800},
            )
        except Exception:
            log.warning("live view unavailable for this run", exc_info=True)
            self._cdp = None

    async def stop(self) -> None:
        """Stop streaming and detach."""
        cdp, self._cdp = self._cdp, None
        if cdp is None:
            return
        try:
            await cdp.send("Page.stopScreencast")
            await cdp.detach()
        except Exception:  # page already closed
            log.debug("stopping the screencast failed", exc_info=True)

    def _handle(self, params: dict[str, Any]) -> None:
        cdp = self._cdp
        if cdp is None:
            return
        task = asyncio.ensure_future(self._ack(cdp, params["sessionId"]))
        self._acks.add(task)  # keep a reference until done
        task.add_done_callback(self._acks.discard)
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        self.frames_sent += 1
        self._on_frame(base64.b64decode(params["data"]))

    @staticmethod
    async def _ack(cdp: CDPSession, session_id: int) -> None:
        try:
            await cdp.send("Page.screencastFrameAck", {"sessionId": session_id})
        except Exception:  # the session ended between frame and ack
            log.debug("screencast ack failed", exc_info=True)
