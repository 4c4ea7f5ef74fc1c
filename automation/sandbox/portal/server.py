"""Run the sandbox portal in a background thread with its own asyncio loop.

Tests and the desktop demo use :class:`SandboxPortal`; admin operations are plain Python methods
(thread-safe: they go straight to the shared :class:`PortalState`), and the same operations are
available over HTTP under ``/_admin/`` for other processes.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import Any

from aiohttp import web

from app.errors import KnownError
from automation.sandbox.lifecycle import LocalServer
from automation.sandbox.portal.admin import transfer_path
from automation.sandbox.portal.app import Mailer, create_app
from automation.sandbox.portal.state import Account, Faults, PortalState, Site, Transfer

HOST = "127.0.0.1"
START_TIMEOUT = 15.0


class PortalStartError(KnownError):
    """The sandbox portal could not start (port in use, ...)."""


class SandboxPortal(LocalServer):
    """The sandbox portal on ``127.0.0.1:port`` (0 = a free port), served from a thread.

    Example::

        with SandboxPortal() as portal:
            portal.add_site("state-u", "State University Athletics")
            portal.add_account("state-u", "desk@market.test", "pw")
            transfer = portal.create_transfer("state-u", "desk@market.test", ...)
            page.goto(portal.accept_url(transfer))
    """

    def __init__(
        self, port: int = 0, mailer: Mailer | None = None, state: PortalState | None = None
    ) -> None:
        self.state = state or PortalState()
        self._requested_port = port
        self._mailer = mailer
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def port(self) -> int:
        """The TCP port served (after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("the sandbox portal is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    def site_url(self, site: str) -> str:
        """Base URL of one site, e.g. ``http://127.0.0.1:8123/tickets/state-u``."""
        return f"{self.base_url}/tickets/{site}"

    def accept_url(self, transfer: Transfer) -> str:
        """The accept link of a transfer (as in its notice email)."""
        return self.base_url + transfer_path(transfer.site, transfer.token)

    def start(self) -> None:
        """Start serving; returns once the port is bound.

        Raises:
            PortalStartError: the server could not bind or start in time.
        """
        if self._thread is not None:
            return
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._serve, name="sandbox-portal", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._error is not None:
            self._thread.join(timeout=5)
            self._thread = None
            reason = str(self._error) if self._error is not None else "timed out"
            raise PortalStartError(
                f"the sandbox portal could not start on {HOST}:{self._requested_port}: {reason}"
            )

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._thread is None:
            return
        if self._loop is not None and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        self._thread.join(timeout=15)
        self._thread = None
        self._port = None

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start() through _error
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        runner = web.AppRunner(
            create_app(self.state, self._mailer), access_log=None, shutdown_timeout=0.25
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, HOST, self._requested_port)
            await site.start()
            address = runner.addresses[0]
            self._port = int(address[1])
            self._ready.set()
            await self._stop_event.wait()
        finally:
            await runner.cleanup()

    # -- admin operations (same as the /_admin/ endpoints) --------------------------------------
    def add_site(self, slug: str, name: str, **options: Any) -> Site:  # Any: Site's fields
        """Create a site (options: max_attempts, lock_minutes, code_ttl_seconds,
        accept_window_hours)."""
        return self.state.add_site(slug, name, **options)

    def set_wording(self, site: str, **words: str) -> dict[str, str]:
        """Change the words of the site's accept, confirmation and state pages."""
        return self.state.set_wording(site, **words)

    def add_account(
        self, site: str, email: str, password: str, display_name: str = "", mfa: str = "off"
    ) -> Account:
        """Create an account on a site (``mfa``: off, always, new_device)."""
        return self.state.add_account(site, email, password, display_name, mfa)

    def create_transfer(self, site: str, recipient_email: str,
                        **details: Any) -> Transfer:  # Any: Transfer's fields
        """Offer tickets to an account (see :meth:`PortalState.create_transfer`)."""
        return self.state.create_transfer(site, recipient_email, **details)

    def cancel_transfer(self, token: str) -> Transfer:
        """The sender cancels a pending transfer."""
        return self.state.cancel(token)

    def accept_by_hand(self, token: str) -> Transfer:
        """A person accepts in their own browser (what no guard sees; tests' stand-in)."""
        return self.state.accept_by_hand(token)

    def request_count(self, site: str) -> int:
        """Requests the site has received (every page, guard and API request)."""
        return self.state.guards.requests[site]

    def set_faults(self, site: str | None = None,
                   **switches: Any) -> Faults:  # Any: Faults' switches
        """Set fault switches globally or for one site."""
        return self.state.set_faults(site, **switches)

    def clear_faults(self) -> None:
        """Switch every fault off, globally and on every site."""
        self.state.clear_faults()

    def accept_counts(self) -> dict[str, int]:
        """Accept calls per transfer token."""
        return self.state.accept_counts()

    def transfer_states(self) -> dict[str, str]:
        """State of every transfer by token."""
        return {t["token"]: t["state"] for t in self.state.snapshots()}

    def advance_clock(self, seconds: float) -> datetime:
        """Move portal time forward; returns the new portal time."""
        self.state.advance_clock(seconds)
        return self.state.now()

    def reset(self) -> None:
        """Forget transfers, sessions, received tickets and faults."""
        self.state.reset()
