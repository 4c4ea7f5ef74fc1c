"""Admin JSON endpoints of the sandbox portal (tests, the sender and the demo drive the world).

=======  ==================================  =============================================
method   path                                body / result
=======  ==================================  =============================================
GET      /_admin/transfers                   every transfer (state, accept_calls, seats, ...)
GET      /_admin/accept-counts               {token: accept calls}
GET      /_admin/faults                      {"global": {...}, "sites": {slug: {...}}}
POST     /_admin/transfers                   create: site, recipient_email, sender_name,
                                             sender_email, event_name, event_starts_at (ISO),
                                             venue, section, row, seats, [expires_in_hours,
                                             wrong_seats] -> the transfer plus accept_url
POST     /_admin/transfers/{token}/cancel    the sender cancels -> the transfer
POST     /_admin/transfers/{token}/accept    a person accepted in their own browser (outside
                                             the bot guards) -> the transfer
GET      /_admin/requests                    {"requests": {site: n}, "refusals": {site: n}}
POST     /_admin/faults                      {[site], switch: value, ...} -> effective faults
POST     /_admin/sites                       {slug, name, [accept_window_hours, ...]}
POST     /_admin/sites/{slug}/wording        {key: words, ...} (WORDING_KEYS) -> the wording
POST     /_admin/accounts                    {site, email, password, [display_name], [mfa]}
POST     /_admin/clock                       {advance_seconds}
POST     /_admin/reset                       forget transfers, sessions, faults
=======  ==================================  =============================================

Errors answer 400 with ``{"error": message}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiohttp import web

from automation.sandbox.portal.state import PortalState, PortalStateError

JsonHandler = Callable[[web.Request], Awaitable[Any]]


def transfer_path(site: str, token: str) -> str:
    """Path of a transfer's accept page (the notice's accept link)."""
    return f"/tickets/{site}/transfer/{token}"


def add_admin_routes(app: web.Application, state: PortalState) -> None:
    """Register the ``/_admin/`` endpoints on ``app``."""

    def route(method: str, path: str, func: JsonHandler) -> None:
        async def handler(request: web.Request) -> web.Response:
            try:
                result = await func(request)
            except PortalStateError as exc:
                return web.json_response({"error": str(exc)}, status=400)
            except (ValueError, TypeError, KeyError) as exc:
                return web.json_response({"error": f"bad request: {exc!r}"}, status=400)
            return web.json_response(result)

        app.router.add_route(method, "/_admin" + path, handler)

    async def body(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        data = json.loads(await request.text())
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def base(request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def list_transfers(_: web.Request) -> Any:
        return state.snapshots()

    async def accept_counts(_: web.Request) -> Any:
        return state.accept_counts()

    async def faults(_: web.Request) -> Any:
        return {
            "global": asdict(state.global_faults),
            "sites": {slug: asdict(state.faults_for(slug)) for slug in state.sites},
        }

    async def create_transfer(request: web.Request) -> Any:
        data = await body(request)
        data["event_starts_at"] = datetime.fromisoformat(data["event_starts_at"])
        site, recipient = data.pop("site"), data.pop("recipient_email")
        transfer = state.create_transfer(site, recipient, **data)
        return {
            **transfer.snapshot(),
            "accept_url": base(request) + transfer_path(site, transfer.token),
            "site_name": state.site(site).name,
        }

    async def cancel(request: web.Request) -> Any:
        return state.cancel(request.match_info["token"]).snapshot()

    async def accept_by_hand(request: web.Request) -> Any:
        return state.accept_by_hand(request.match_info["token"]).snapshot()

    async def request_counts(_: web.Request) -> Any:
        return {"requests": dict(state.guards.requests),
                "refusals": dict(state.guards.refusals)}

    async def set_faults(request: web.Request) -> Any:
        data = await body(request)
        return asdict(state.set_faults(data.pop("site", None), **data))

    async def add_site(request: web.Request) -> Any:
        data = await body(request)
        return asdict(state.add_site(data.pop("slug"), data.pop("name"), **data))

    async def set_wording(request: web.Request) -> Any:
        return state.set_wording(request.match_info["slug"], **(await body(request)))

    async def add_account(request: web.Request) -> Any:
        data = await body(request)
        site, email, password = data.pop("site"), data.pop("email"), data.pop("password")
        account = state.add_account(site, email, password, **data)
        return {"site": account.site, "email": account.email, "mfa": account.mfa}

    async def clock(request: web.Request) -> Any:
        state.advance_clock(float((await body(request))["advance_seconds"]))
        return {"now": state.now().isoformat()}

    async def reset(_: web.Request) -> Any:
        state.reset()
        return {"ok": True}

    route("GET", "/transfers", list_transfers)
    route("GET", "/accept-counts", accept_counts)
    route("GET", "/faults", faults)
    route("POST", "/transfers", create_transfer)
    route("POST", "/transfers/{token}/cancel", cancel)
    route("POST", "/transfers/{token}/accept", accept_by_hand)
    route("GET", "/requests", request_counts)
    route("POST", "/faults", set_faults)
    route("POST", "/sites", add_site)
    route("POST", "/sites/{slug}/wording", set_wording)
    route("POST", "/accounts", add_account)
    route("POST", "/clock", clock)
    route("POST", "/reset", reset)
