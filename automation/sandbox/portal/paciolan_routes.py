"""Routes of the "modern" and "legacy" layouts: real Paciolan URLs and the ``/pac-api/`` JSON.

Modern: ``myaccount``, ``myaccount/transfers``, ``myaccount/event/{season}/{event}``,
``REGLogoff``; ``pac-api/accounts`` and ``pac-api/orderhistory-event/{season}/{event}``, which
answer only with the session cookie AND the ``pac-authz`` header holding the session's token
(the value the page HTML carries as ``"pacAuthz":"<uuid>"``). Legacy: the one-step
``myaccount/login`` and ``cgi-bin/ncommerce3/EVExecMacro`` (My Account). Every layout shares
the transfer pages; a transfer with a recipient fee sends Accept to a payment step first.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from automation.sandbox.portal import paciolan_pages as pac
from automation.sandbox.portal.app import (
    _account,
    _context,
    _html,
    _redirect,
    _session,
    _set_session_cookie,
    _sign_out,
    _signed_in,
    check_password,
)
from automation.sandbox.portal.model import event_codes, transfer_seat_id
from automation.sandbox.portal.pages import not_found
from automation.sandbox.portal.state import Account, Session, TransferState

PAC_AUTHZ_HEADER = "pac-authz"


def add_paciolan_routes(app: web.Application, prefix: str) -> None:
    """Register the real-site routes under ``prefix`` (``/tickets/{site}``)."""
    app.router.add_get(prefix + "/myaccount", _account)
    app.router.add_get(prefix + "/myaccount/transfers", _account)
    app.router.add_get(prefix + "/myaccount/transfers/seasons", _account)
    app.router.add_get(prefix + "/myaccount/event/{season}/{event}", _event)
    app.router.add_get(prefix + "/REGLogoff", _sign_out)
    app.router.add_get(prefix + "/myaccount/login", _legacy_login_form)
    app.router.add_post(prefix + "/myaccount/login", _legacy_login)
    app.router.add_get(prefix + "/cgi-bin/ncommerce3/EVExecMacro", _account)
    app.router.add_get(prefix + "/pac-api/accounts", _api_accounts)
    app.router.add_get(prefix + "/pac-api/orderhistory-event/{season}/{event}", _api_orders)
    app.router.add_get(prefix + "/transfer/{token}/payment", _payment)
    app.router.add_post(prefix + "/transfer/{token}/pay", _pay)


async def _event(request: web.Request) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    session, account = auth
    state, site, lay = _context(request)
    wanted = (request.match_info["season"], request.match_info["event"])
    name = next((t.event_name for t in account.tickets
                 if event_codes(t.event_name, t.event_starts_at) == wanted), None)
    if name is None:
        return _html(not_found(site, "that event"), status=404)
    unreadable = state.faults_for(site.slug).seats_unreadable
    return _html(pac.modern_event(site, lay, account, name, session.authz, unreadable))


async def _legacy_login_form(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is not None and session.stage == "signed_in":
        return _redirect(pac.account_path(site, lay))
    session = session or state.new_session(site.slug)
    session.stage, session.email = "email", None
    notice, session.notice = session.notice, None
    response = _html(pac.legacy_sign_in(site, lay, None, notice))
    _set_session_cookie(response, site, session)
    return response


async def _legacy_login(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    form = await request.post()
    email = str(form.get("user_cred", "")).strip().lower()
    session = _session(request, state, site) or state.new_session(site.slug)
    if "@" not in email:
        response = _html(pac.legacy_sign_in(site, lay, "Enter your email address.", None), 401)
        _set_session_cookie(response, site, session)
        return response
    session.stage, session.email = "password", email
    response = await check_password(request, site, lay, session,
                                    str(form.get("pass_cred", "")), keep=True)
    _set_session_cookie(response, site, session)
    return response


def _api_auth(request: web.Request) -> web.Response | tuple[Session, Account]:
    """The signed-in session and account of an API call, or its JSON error."""
    state, site, _ = _context(request)
    if state.faults_for(site.slug).api_down:
        return web.json_response({"error": "service unavailable"}, status=503)
    session = _session(request, state, site)
    if session is None or session.stage != "signed_in":
        return web.json_response({"error": "not signed in"}, status=401)
    token = request.headers.get(PAC_AUTHZ_HEADER, "")
    if not secrets.compare_digest(token.encode(), session.authz.encode()):
        return web.json_response({"error": "missing or wrong pac-authz"}, status=403)
    account = state.account(site.slug, session.email or "")
    if account is None:
        return web.json_response({"error": "not signed in"}, status=401)
    state.api_calls.append(request.path)
    return session, account


async def _api_accounts(request: web.Request) -> web.Response:
    auth = _api_auth(request)
    if isinstance(auth, web.Response):
        return auth
    _, site, _ = _context(request)
    patron = _patron_id(site.patron_base, auth[1].email)
    return web.json_response({"key": {"id": patron}, "dataAccountId": site.slug.upper()})


async def _api_orders(request: web.Request) -> web.Response:
    auth = _api_auth(request)
    if isinstance(auth, web.Response):
        return auth
    state, site, _ = _context(request)
    account = auth[1]
    season, event = request.match_info["season"], request.match_info["event"]
    patron = _patron_id(site.patron_base, account.email)
    unreadable = state.faults_for(site.slug).seats_unreadable
    seats = [
        {"transferSeatId": "" if unreadable else transfer_seat_id(patron, event, t),
         "barcode": f"{patron}{i:04d}", "transferable": t.transferable}
        for i, t in enumerate(account.tickets)
        if event_codes(t.event_name, t.event_starts_at) == (season, event)
    ]
    events = [{"seasonCd": season, "eventCd": event, "seats": seats}] if seats else []
    return web.json_response({"events": events})


def _patron_id(base: int, email: str) -> int:
    return base + sum(email.encode()) % 10000


async def _payment(request: web.Request) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    state, site, lay = _context(request)
    transfer = state.transfer(request.match_info["token"])
    if transfer is None or transfer.site != site.slug:
        return _html(not_found(site, "that transfer"), status=404)
    return _html(pac.payment_page(site, lay, transfer), status=402)


async def _pay(request: web.Request) -> web.Response:
    """A person paying the fee by hand (the product never does): the transfer is accepted."""
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    state, site, _ = _context(request)
    token = request.match_info["token"]
    transfer = state.transfer(token)
    if transfer is None or transfer.site != site.slug:
        return _html(not_found(site, "that transfer"), status=404)
    if transfer.state is TransferState.PENDING:
        state.accept(token)
    return _redirect(f"/tickets/{site.slug}/transfer/{token}/confirmation")
