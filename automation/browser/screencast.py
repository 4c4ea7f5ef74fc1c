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

    Chromium sends a frame only when the page repaints, and stops once a few frames are
    unacknowledged. A frame that arrives before its slot is held and goes out at the slot; a
    newer one replaces it, and the replaced frames are acknowledged only at the slot, never
    decoded. So Chromium itself is paced (measured: ~12 frames/s received instead of ~30),
    the last picture of a page that stops changing is never lost, and base64 decoding happens
    only for frames that are sent.

    Args:
        page: a Chromium page.
        on_frame: called on the browser loop with each JPEG (keep it quick).
        fps: the frame-rate ceiling (about 5 for the panel).
    """

    def __init__(self, page: Page, on_frame: Callable[[bytes], None], fps: float = 5.0) -> None:
        self._page = page
        self._on_frame = on_frame
        self._interval = 1.0 / fps
        self._last = -1e9
        self._cdp: CDPSession | None = None
        self._acks: set[asyncio.Task[None]] = set()
        self._held: dict[str, Any] | None = None
        self._superseded: list[int] = []
        self._slot: asyncio.TimerHandle | None = None
        self.frames_received = 0
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
        """Stop streaming and detach (a held frame is dropped)."""
        cdp, self._cdp = self._cdp, None
        if self._slot is not None:
            self._slot.cancel()
            self._slot = None
        self._held, self._superseded = None, []
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
        self.frames_received += 1
        wait = self._last + self._interval - time.monotonic()
        if wait <= 0 and self._held is None:
            self._send(cdp, params)
            return
        if self._held is not None:  # superseded: never decoded, acknowledged at the slot
            self._superseded.append(self._held["sessionId"])
        self._held = params
        if self._slot is None:
            self._slot = asyncio.get_running_loop().call_later(max(wait, 0.0), self._release)

    def _release(self) -> None:
        self._slot = None
        held, self._held = self._held, None
        superseded, self._superseded = self._superseded, []
        cdp = self._cdp
        if cdp is None:
            return
        for session_id in superseded:
            self._ack_later(cdp, session_id)
        if held is not None:
            self._send(cdp, held)

    def _send(self, cdp: CDPSession, params: dict[str, Any]) -> None:
        self._last = time.monotonic()
        self.frames_sent += 1
        self._on_frame(base64.b64decode(params["data"]))
        self._ack_later(cdp, params["sessionId"])  # after the slot: Chromium may send the next

    def _ack_later(self, cdp: CDPSession, session_id: int) -> None:
        task = asyncio.ensure_future(self._ack(cdp, session_id))
        self._acks.add(task)  # keep a reference until done
        task.add_done_callback(self._acks.discard)

    @staticmethod
    async def _ack(cdp: CDPSession, session_id: int) -> None:
        try:
            await cdp.send("Page.screencastFrameAck", {"sessionId": session_id})
        except Exception:  # the session ended between frame and ack
            log.debug("screencast ack failed", exc_info=True)
