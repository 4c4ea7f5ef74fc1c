"""The sandbox portal's aiohttp application: sign-in, My Account, transfers, fault switches.

URLs (per site, ``/tickets/<site>/``): ``signin`` (email) -> ``signin/password`` ->
``signin/code`` (when a code is required), ``account``, ``transfer/<token>`` with
``/accept``, ``/decline`` and ``/confirmation``, ``challenge`` (bot check), ``signout``.
Admin JSON lives under ``/_admin/`` (see :mod:`automation.sandbox.portal.admin`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from app.resources import resource_path
from automation.sandbox.notices import build_verification_email
from automation.sandbox.portal import guards, pages
from automation.sandbox.portal import paciolan_pages as pac
from automation.sandbox.portal.admin import add_admin_routes
from automation.sandbox.portal.layouts import LAYOUTS, Layout, with_wording
from automation.sandbox.portal.state import (
    Account,
    PortalState,
    Session,
    SignInOutcome,
    Site,
    TransferState,
)

log = logging.getLogger(__name__)

Mailer = Callable[[str, bytes], None]
"""Delivers an email (bytes) to the mailbox of an account (its email address)."""

SESSION_COOKIE = "PACSESSION"
DEVICE_COOKIE = "PACDEVICE"
HUMAN_COOKIE = "pxhuman"
HOLD_MS = 1500
PERSISTENT_SECONDS = 30 * 24 * 3600

STATE_KEY = web.AppKey("state", PortalState)
MAILER_KEY = web.AppKey("mailer", object)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(state: PortalState, mailer: Mailer | None = None) -> web.Application:
    """Build the aiohttp application over ``state``; ``mailer`` sends verification codes."""
    app = web.Application(middlewares=[_fault_middleware])
    app[STATE_KEY] = state
    app[MAILER_KEY] = mailer
    css = resource_path("sandbox", "portal.css").read_text(encoding="utf-8")

    async def stylesheet(_: web.Request) -> web.Response:
        return web.Response(text=css, content_type="text/css")

    async def index(request: web.Request) -> web.Response:
        return _html(pages.index(list(state.sites.values())))

    prefix = "/tickets/{site}"
    app.router.add_get("/", index)
    app.router.add_get("/static/portal.css", stylesheet)
    app.router.add_get(prefix, _home)
    app.router.add_get(prefix + "/", _home)
    app.router.add_get(prefix + "/signin", _sign_in_form)
    app.router.add_post(prefix + "/signin", _sign_in_email)
    app.router.add_get(prefix + "/signin/password", _password_form)
    app.router.add_post(prefix + "/signin/password", _password_submit)
    app.router.add_get(prefix + "/signin/code", _code_form)
    app.router.add_post(prefix + "/signin/code", _code_submit)
    app.router.add_post(prefix + "/signin/code/resend", _code_resend)
    app.router.add_post(prefix + "/signout", _sign_out)
    app.router.add_get(prefix + "/account", _account)
    app.router.add_get(prefix + "/transfer/{token}", _transfer)
    app.router.add_post(prefix + "/transfer/{token}/accept", _accept)
    app.router.add_post(prefix + "/transfer/{token}/decline", _decline)
    app.router.add_get(prefix + "/transfer/{token}/confirmation", _confirmation)
    app.router.add_post(prefix + "/challenge", _challenge_submit)
    add_admin_routes(app, state)
    guards.add_guard_routes(app, prefix, _guards_of)
    from automation.sandbox.portal.paciolan_routes import add_paciolan_routes

    add_paciolan_routes(app, prefix)
    return app


# -- helpers --------------------------------------------------------------------------------
def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _context(request: web.Request) -> tuple[PortalState, Site, Layout]:
    state = request.app[STATE_KEY]
    site = state.sites.get(request.match_info["site"])
    if site is None:
        raise web.HTTPNotFound(text=pages.not_found(None, "that site"), content_type="text/html")
    return state, site, with_wording(LAYOUTS[state.faults_for(site.slug).layout], site.wording)


def _layout(state: PortalState, site: Site) -> Layout:
    return LAYOUTS[state.faults_for(site.slug).layout]


def _modern(lay: Layout) -> bool:
    return lay.name in ("modern", "legacy")


def _set_session_cookie(response: web.Response, site: Site, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.sid,
        path=f"/tickets/{site.slug}/",
        httponly=True,
        samesite="Lax",
        max_age=PERSISTENT_SECONDS if session.persistent else None,
    )


def _session(request: web.Request, state: PortalState, site: Site) -> Session | None:
    return state.session(request.cookies.get(SESSION_COOKIE), site.slug)


def _to_sign_in(state: PortalState, site: Site, next_url: str, notice: str | None) -> web.Response:
    session = state.new_session(site.slug)
    session.next_url, session.notice = next_url, notice
    response = _redirect(pac.sign_in_path(site, _layout(state, site)))
    _set_session_cookie(response, site, session)
    return response


def _signed_in(request: web.Request) -> tuple[Session, Account] | web.Response:
    """The signed-in session and account, or a redirect to the sign-in page."""
    state, site, _ = _context(request)
    session = _session(request, state, site)
    lay = _layout(state, site)
    next_url = request.path_qs if request.method == "GET" else pac.account_path(site, lay)
    if session is None or session.stage != "signed_in":
        return _to_sign_in(state, site, next_url, None)
    if not state.count_request(session):
        return _to_sign_in(state, site, next_url, pages.SESSION_EXPIRED_MESSAGE)
    account = state.account(site.slug, session.email or "")
    if account is None:
        state.drop_session(session.sid)
        return _to_sign_in(state, site, next_url, None)
    return session, account


async def _send_code(request: web.Request, site: Site, session: Session) -> None:
    state = request.app[STATE_KEY]
    mailer = request.app[MAILER_KEY]
    code = state.issue_code(session)
    if not callable(mailer) or session.email is None:
        log.warning("no mailer configured: verification code for %s not sent", session.email)
        return
    message = build_verification_email(
        session.email, code, site.name, state.now(), max(1, site.code_ttl_seconds // 60)
    )
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, mailer, session.email, message)
    except Exception:  # a failing mailbox must not take the portal down
        log.exception("could not deliver the verification code to %s", session.email)


def _finish_sign_in(site: Site, session: Session, lay: Layout) -> web.Response:
    target = session.next_url or pac.account_path(site, lay)
    session.next_url = None
    response = _redirect(target)
    _set_session_cookie(response, site, session)
    return response


# -- fault middleware -----------------------------------------------------------------------
@web.middleware
async def _fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    slug = request.match_info.get("site")
    if slug is None or slug not in state.sites:
        return await handler(request)
    site = state.sites[slug]
    faults = state.faults_for(slug)
    state.guards.count(slug)
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if state.roll_error(slug):
        return _html(pages.unavailable(site), status=503)
    refused = guards.refusal(request, state.guards, site, faults, _who(request, state, site),
                             state.now())
    if refused is not None:
        return refused
    is_challenge = request.path.rstrip("/").endswith("/challenge")
    if faults.bot_challenge and not is_challenge:
        if not state.is_human(request.cookies.get(HUMAN_COOKIE)):
            next_url = request.path_qs if request.method == "GET" else f"/tickets/{slug}/account"
            body = pages.challenge(site, state.issue_challenge(), next_url, HOLD_MS)
            return _html(body, status=403)
    return await handler(request)


def _who(request: web.Request, state: PortalState, site: Site) -> str:
    """Whom the rate guard counts: the session's account, else the session, else the client."""
    session = _session(request, state, site)
    if session is not None:
        return session.email or session.sid
    return request.remote or "unknown"


def _guards_of(request: web.Request) -> tuple[guards.GuardState, Site]:
    state, site, _ = _context(request)
    return state.guards, site


# -- sign-in --------------------------------------------------------------------------------
async def _home(request: web.Request) -> web.Response:
    _, site, lay = _context(request)
    return _redirect(pac.account_path(site, lay))


async def _sign_in_form(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is not None and session.stage == "signed_in":
        return _redirect(pac.account_path(site, lay))
    if lay.name == "legacy":
        return _redirect(pac.sign_in_path(site, lay))
    if session is None:
        session = state.new_session(site.slug)
    session.stage, session.email = "email", None
    notice, session.notice = session.notice, None
    render = pac.modern_sign_in_email if _modern(lay) else pages.sign_in_email
    response = _html(render(site, lay, None, notice))
    _set_session_cookie(response, site, session)
    return response


async def _sign_in_email(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    session = _session(request, state, site) or state.new_session(site.slug)
    if "@" not in email:
        render = pac.modern_sign_in_email if _modern(lay) else pages.sign_in_email
        response = _html(render(site, lay, "Enter a valid email address.", None))
    else:
        session.stage, session.email = "password", email
        response = _redirect(f"/tickets/{site.slug}/signin/password")
    _set_session_cookie(response, site, session)
    return response


async def _password_form(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is None or session.stage != "password" or session.email is None:
        return _redirect(f"/tickets/{site.slug}/signin")
    render = pac.modern_sign_in_password if _modern(lay) else pages.sign_in_password
    return _html(render(site, lay, session.email, None))


async def _password_submit(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is None or session.stage != "password" or session.email is None:
        return _redirect(f"/tickets/{site.slug}/signin")
    form = await request.post()
    return await check_password(request, site, lay, session, str(form.get("password", "")),
                                bool(form.get("keep")))


async def check_password(request: web.Request, site: Site, lay: Layout, session: Session,
                         password: str, keep: bool) -> web.Response:
    """The password step of every layout (the legacy login posts email and password at once)."""
    state = request.app[STATE_KEY]
    assert session.email is not None
    device = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    outcome = state.check_password(session, password, device, keep_signed_in=keep)
    render = pages.sign_in_password
    if lay.name == "legacy":
        def render(site: Site, lay: Layout, email: str, error: str | None) -> str:
            return pac.legacy_sign_in(site, lay, error, None)
    elif lay.name == "modern":
        render = pac.modern_sign_in_password
    if outcome is SignInOutcome.LOCKED:
        message = pages.LOCKED_MESSAGE.format(minutes=site.lock_minutes)
        response = _html(render(site, lay, session.email, message), status=423)
    elif outcome is SignInOutcome.WRONG_PASSWORD:
        message = pages.WRONG_PASSWORD_MESSAGE
        response = _html(render(site, lay, session.email, message), status=401)
    elif outcome is SignInOutcome.CODE_REQUIRED:
        await _send_code(request, site, session)
        response = _redirect(f"/tickets/{site.slug}/signin/code")
    else:
        response = _finish_sign_in(site, session, lay)
    response.set_cookie(
        DEVICE_COOKIE, device, path=f"/tickets/{site.slug}/", max_age=365 * 24 * 3600
    )
    return response


async def _code_form(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is None or session.stage != "code" or session.email is None:
        return _redirect(f"/tickets/{site.slug}/signin")
    render = pac.sign_in_code if _modern(lay) else pages.sign_in_code
    return _html(render(site, lay, session.email, None))


async def _code_submit(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is None or session.stage != "code" or session.email is None:
        return _redirect(f"/tickets/{site.slug}/signin")
    form = await request.post()
    result = state.check_code(session, str(form.get("code", "")), _device(request))
    if result == "ok":
        return _finish_sign_in(site, session, lay)
    message = (
        "That code is incorrect. Check the email and try again."
        if result == "wrong"
        else "That code has expired. Send a new code."
    )
    render = pac.sign_in_code if _modern(lay) else pages.sign_in_code
    return _html(render(site, lay, session.email, message), status=401)


async def _code_resend(request: web.Request) -> web.Response:
    state, site, _ = _context(request)
    session = _session(request, state, site)
    if session is None or session.stage != "code":
        return _redirect(f"/tickets/{site.slug}/signin")
    await _send_code(request, site, session)
    return _redirect(f"/tickets/{site.slug}/signin/code")


def _device(request: web.Request) -> str:
    return request.cookies.get(DEVICE_COOKIE, "")


async def _sign_out(request: web.Request) -> web.Response:
    state, site, lay = _context(request)
    session = _session(request, state, site)
    if session is not None:
        state.drop_session(session.sid)
    return _redirect(pac.sign_in_path(site, lay))


async def _challenge_submit(request: web.Request) -> web.Response:
    state, site, _ = _context(request)
    form = await request.post()
    next_url = str(form.get("next", ""))
    if not next_url.startswith(f"/tickets/{site.slug}/"):
        next_url = f"/tickets/{site.slug}/account"
    try:
        held = int(str(form.get("held_ms", "0")))
    except ValueError:
        held = 0
    human = state.pass_challenge(str(form.get("nonce", "")), held, HOLD_MS)
    if human is None:
        body = pages.challenge(site, state.issue_challenge(), next_url, HOLD_MS)
        return _html(body, status=403)
    response = _redirect(next_url)
    response.set_cookie(HUMAN_COOKIE, human, path=f"/tickets/{site.slug}/", httponly=True)
    return response


# -- account and transfers ------------------------------------------------------------------
async def _account(request: web.Request) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    session, account = auth
    state, site, lay = _context(request)
    pending = state.pending_for(site.slug, account.email)
    unreadable = state.faults_for(site.slug).seats_unreadable
    if lay.name == "modern":
        return _html(pac.modern_account(site, lay, account, pending, session.authz))
    if lay.name == "legacy":
        return _html(pac.legacy_account(site, lay, account, pending, unreadable))
    return _html(pages.account_page(site, lay, account, pending, None))


async def _transfer(request: web.Request) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    _, account = auth
    state, site, lay = _context(request)
    transfer = state.transfer(request.match_info["token"])
    if transfer is None or transfer.site != site.slug:
        return _html(pages.not_found(site, "that transfer"), status=404)
    wrong = transfer.recipient_email != account.email
    if _modern(lay):
        return _html(pac.transfer_page(site, lay, transfer, wrong, pages.WRONG_ACCOUNT_MESSAGE))
    return _html(pages.transfer_page(site, lay, transfer, account.email, wrong))


async def _accept(request: web.Request) -> web.Response:
    return await _decide(request, accept=True)


async def _decline(request: web.Request) -> web.Response:
    return await _decide(request, accept=False)


async def _decide(request: web.Request, accept: bool) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    _, account = auth
    state, site, lay = _context(request)
    token = request.match_info["token"]
    transfer = state.transfer(token)
    if transfer is None or transfer.site != site.slug:
        return _html(pages.not_found(site, "that transfer"), status=404)
    if transfer.recipient_email != account.email:
        return _html(pages.transfer_page(site, lay, transfer, account.email, True), status=403)
    if accept and transfer.fee_cents and transfer.state is TransferState.PENDING:
        return _redirect(f"/tickets/{site.slug}/transfer/{token}/payment")  # pay first
    if accept:
        state.accept(token)
    else:
        state.decline(token)
    return _redirect(f"/tickets/{site.slug}/transfer/{token}/confirmation")


async def _confirmation(request: web.Request) -> web.Response:
    auth = _signed_in(request)
    if isinstance(auth, web.Response):
        return auth
    _, account = auth
    state, site, lay = _context(request)
    transfer = state.transfer(request.match_info["token"])
    if transfer is None or transfer.site != site.slug or transfer.recipient_email != account.email:
        return _html(pages.not_found(site, "that transfer"), status=404)
    if _modern(lay):
        return _html(pac.decided_page(site, lay, transfer))
    return _html(pages.decided_page(site, lay, transfer, account.email))
