"""The browser service: one thread, one asyncio loop, one Playwright instance.

Callers on other threads (the Qt GUI loop, a worker's main thread) submit coroutines with
:meth:`BrowserService.submit` (``asyncio.run_coroutine_threadsafe`` underneath) and get a
``concurrent.futures.Future``. Inside the loop, :meth:`BrowserService.session` hands out one
browser context per portal account whose storage state is persisted encrypted, so a batch signs
in once. Runs are never cancelled mid Playwright call: they stop through their own abort path.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import sys
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from app.config import BrowserSettings
from app.errors import KnownError
from automation.browser.storage import StorageStateStore
from automation.browser_launch import launch_kwargs

log = logging.getLogger(__name__)
T = TypeVar("T")


class BrowserUnavailableError(KnownError):
    """The browser could not be started (not installed, wrong path or channel)."""


@dataclass
class AccountSession:
    """One portal account's browser context and the lock that serialises its runs."""

    account: str
    context: BrowserContext
    headless: bool
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    verified_at: float = 0.0  # monotonic time the portal last showed us signed in

    async def page(self) -> Page:
        """The context's page (created on first use, reused afterwards)."""
        pages = [p for p in self.context.pages if not p.is_closed()]
        return pages[0] if pages else await self.context.new_page()


class BrowserService:
    """Owns the browser thread. Start once, submit coroutines, stop at shutdown.

    Args:
        settings: which browser to drive and whether headless by default.
        store: encrypted storage states per account (None: sessions live in memory only).
        default_timeout_ms: Playwright's default timeout for every action of every page.
    """

    def __init__(
        self,
        settings: BrowserSettings,
        store: StorageStateStore | None = None,
        default_timeout_ms: float = 15_000,
    ) -> None:
        self.settings = settings
        self.store = store
        self.default_timeout_ms = default_timeout_ms
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._playwright: Playwright | None = None
        self._browsers: dict[bool, Browser] = {}
        self._sessions: dict[str, AccountSession] = {}
        self._stop: asyncio.Event | None = None

    # -- thread lifecycle -----------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The service's event loop (only valid after :meth:`start`)."""
        if self._loop is None:
            raise RuntimeError("browser service not started")
        return self._loop

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 60.0) -> None:
        """Start the thread, its loop and Playwright; idempotent.

        Raises:
            BrowserUnavailableError: Playwright could not start.
        """
        if self.running:
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._thread_main, name="browser", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise BrowserUnavailableError("the browser service did not start in time")
        if self._startup_error is not None:
            raise BrowserUnavailableError(f"cannot start Playwright: {self._startup_error}")

    def stop(self, timeout: float = 60.0) -> None:
        """Save sessions, close browsers and Playwright, end the thread."""
        if not self.running or self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        assert self._thread is not None
        self._thread.join(timeout)
        self._thread = None

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the browser loop from any other thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the browser loop and wait for its result (never from the loop)."""
        return self.submit(coro).result(timeout)

    def _thread_main(self) -> None:
        if sys.platform == "win32":  # Playwright needs subprocess support: the proactor loop
            loop: asyncio.AbstractEventLoop = asyncio.ProactorEventLoop()  # type: ignore[attr-defined,unused-ignore]
        else:
            loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            self._playwright = await async_playwright().start()
        except Exception as exc:  # surfaced to start() as a KnownError
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        for account in list(self._sessions):
            await self.close_session(account)
        for browser in self._browsers.values():
            try:
                await browser.close()
            except Exception:  # already gone: nothing to save
                log.debug("browser close failed", exc_info=True)
        self._browsers.clear()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    # -- inside the loop --------------------------------------------------------------------

    async def browser(self, headless: bool | None = None) -> Browser:
        """The shared browser (launched on first use), headless or headed."""
        want_headless = self.settings.headless if headless is None else headless
        if not want_headless and sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            log.warning("no display: the headed browser for takeover runs headless instead")
            want_headless = True
        browser = self._browsers.get(want_headless)
        if browser is None or not browser.is_connected():
            assert self._playwright is not None, "browser service not started"
            try:
                options = {**launch_kwargs(self.settings), "headless": want_headless}
                if not want_headless:  # the driver's environment dates from start(): pass
                    options["env"] = dict(os.environ)  # today's, so DISPLAY reaches the window
                browser = await self._playwright.chromium.launch(**options)
            except KnownError:
                raise
            except Exception as exc:
                raise BrowserUnavailableError(f"cannot launch the browser: {exc}") from exc
            self._browsers[want_headless] = browser
        return browser

    async def session(self, account: str) -> AccountSession:
        """The account's browser context, restoring its saved storage state on creation."""
        existing = self._sessions.get(account)
        if existing is not None:
            return existing
        context = await self._new_context(account, self.settings.headless)
        session = AccountSession(account, context, self.settings.headless)
        self._sessions[account] = session
        return session

    async def move_session(self, session: AccountSession, headless: bool) -> Page:
        """Reopen ``session`` headed (takeover) or headless on the same cookies.

        The state is saved, the old context closed and a new one opened at the same URL.
        Returns the new page.
        """
        old_page = await session.page()
        url = old_page.url
        state = dict(await session.context.storage_state())
        if self.store is not None:
            self.store.save(session.account, state)
        await session.context.close()
        session.context = await self._new_context(session.account, headless, state)
        session.headless = headless
        page = await session.page()
        if url.startswith("http"):
            await page.goto(url)
        return page

    async def _new_context(
        self, account: str, headless: bool, state: dict[str, Any] | None = None
    ) -> BrowserContext:
        browser = await self.browser(headless)
        if state is None and self.store is not None:
            state = self.store.load(account)
        context = await browser.new_context(
            storage_state=state,  # type: ignore[arg-type]
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(self.default_timeout_ms)
        return context

    async def save_session(self, account: str) -> None:
        """Persist the account's storage state (encrypted) after a successful sign-in or run."""
        session = self._sessions.get(account)
        if session is None or self.store is None:
            return
        state = await session.context.storage_state()
        self.store.save(account, dict(state))

    async def close_session(self, account: str, save: bool = True) -> None:
        """Close the account's context (saving its state first unless ``save`` is False)."""
        session = self._sessions.pop(account, None)
        if session is None:
            return
        try:
            if save and self.store is not None:
                self.store.save(account, dict(await session.context.storage_state()))
            await session.context.close()
        except Exception:  # the browser may have crashed: nothing left to save
            log.debug("closing the session of an account failed", exc_info=True)

    async def forget_session(self, account: str) -> None:
        """Drop the account's session and stored state (the next run signs in)."""
        await self.close_session(account, save=False)
        if self.store is not None:
            self.store.forget(account)
