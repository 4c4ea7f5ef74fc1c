"""Pages of the sandbox's "modern" and "legacy" layouts, built from the public record.

Modern (Paciolan Account Manager, a Next.js app under ``#__next``): the ids and test-ids of
Paciolan's own SDK test selectors (``signin-container``, ``#signin-email-input``,
``#signin-submit-btn``, ``my-account-container``, ``landing-upcoming-events-card``,
``#event-details-my-tickets-card``, ``pending-transfers-expander``, ...), and the session's
``"pacAuthz":"<uuid>"`` embedded once in the page data. Legacy (eVenue ncommerce3): the one-step
login with ``#user_cred``, ``#pass_cred`` and ``submitForm``. Nothing public shows the accept
page, its confirmation or the state pages: those are plausible, in the site's wording
(:class:`~automation.sandbox.portal.layouts.Layout` after ``with_wording``).
"""

from __future__ import annotations

import json
from html import escape

from automation.sandbox.notices import format_when
from automation.sandbox.portal.layouts import Layout
from automation.sandbox.portal.model import (
    Account,
    Site,
    Ticket,
    Transfer,
    TransferState,
    event_codes,
)
from automation.sandbox.portal.pages import PENDING_INDICATOR, seats_text, state_message

LEGACY_LOGIN = "myaccount/login?&shopperContext=ST&fromLegacy=1"
LEGACY_ACCOUNT = "cgi-bin/ncommerce3/EVExecMacro?linkID={link}&evm=myac"


def base(site: Site) -> str:
    """The site's path prefix."""
    return f"/tickets/{site.slug}"


def sign_in_path(site: Site, lay: Layout) -> str:
    """Where a signed-out browser is sent."""
    return f"{base(site)}/{LEGACY_LOGIN if lay.name == 'legacy' else 'signin'}"


def account_path(site: Site, lay: Layout) -> str:
    """My Account of the layout."""
    if lay.name == "legacy":
        return f"{base(site)}/{LEGACY_ACCOUNT.format(link=site.slug)}"
    return f"{base(site)}/{'myaccount' if lay.name == 'modern' else 'account'}"


def _next_data(authz: str | None, site: Site) -> str:
    """The Next.js page data: the session's pacAuthz once, and the site context."""
    props: dict[str, object] = {"siteId": site.slug, "distributorId": "SANDBOX"}
    if authz:
        props["pacAuthz"] = authz
    data = json.dumps({"props": {"pageProps": props}}, separators=(",", ":"))
    return f'<script id="__NEXT_DATA__" type="application/json">{data}</script>'


def modern(site: Site, title: str, body: str, authz: str | None = None,
           signed_in: bool = False) -> str:
    """The modern chrome: ``#__next``, header logo, menu, sign-out link."""
    sign_out = (f'<a id="primary-nav-link-sign-out" href="{base(site)}/REGLogoff">Sign Out</a>'
                if signed_in else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {escape(site.name)}</title>
<link rel="stylesheet" href="/static/portal.css">{PENDING_INDICATOR}</head>
<body><div class="pending-bar" aria-hidden="true"></div><div id="__next">
<header class="site-header"><div id="header-logo"><a class="brand" href="{base(site)}/myaccount">
{escape(site.name)}</a></div><div id="hamburger-nav"><button type="button" aria-label="Menu">
&#9776;</button></div>{sign_out}</header>
<main>{body}</main></div>{_next_data(authz, site)}</body></html>"""


def _alert(message: str | None, element_id: str) -> str:
    return (f'<div id="{element_id}" role="alert" class="alert">{escape(message)}</div>'
            if message else "")


def modern_sign_in_email(site: Site, lay: Layout, error: str | None, notice: str | None) -> str:
    """Step 1 of the two-step sign-in: the email."""
    note = f'<div id="signin-banner-row" role="status">{escape(notice)}</div>' if notice else ""
    body = f"""<div id="signin-container" data-testid="signin-container" class="card">
<h1>{lay.sign_in_heading}</h1>{note}
<form method="post" action="{base(site)}/signin">
<label for="signin-email-input" id="signin-email-label">Email</label>
<input id="signin-email-input" name="email" type="email" autocomplete="username" required>
{_alert(error, "signin-email-input-field-message")}
<button id="signin-submit-btn" type="submit" class="primary">Continue</button></form>
<a id="signin-forgot-password-link" href="#">Forgot Password?</a>
<a id="signin-create-acct-link" href="#">Create Account</a></div>"""
    return modern(site, lay.sign_in_heading, body)


def modern_sign_in_password(site: Site, lay: Layout, email: str, error: str | None) -> str:
    """Step 2: the password and "keep me signed in", in the same container."""
    body = f"""<div id="signin-container" data-testid="signin-container" class="card">
<h1>{lay.sign_in_heading}</h1><p class="account-email">{escape(email)}</p>
<form method="post" action="{base(site)}/signin/password">
<div id="signin-pass-container">
<label for="signin-pass-input" id="signin-pass-label">Password</label>
<input id="signin-pass-input" name="password" type="password" autocomplete="current-password"
 required>{_alert(error, "signin-pass-error")}</div>
<div class="check"><input id="signin-kmsi" data-testid="signin-kmsi-checkbox" name="keep"
 type="checkbox" value="1"><label for="signin-kmsi">Keep me signed in</label></div>
<button id="signin-submit-btn" type="submit" class="primary">Sign In</button></form></div>"""
    return modern(site, lay.sign_in_heading, body)


def sign_in_code(site: Site, lay: Layout, email: str, error: str | None) -> str:
    """The emailed code (not public for Paciolan: a plausible page)."""
    body = f"""<div class="card"><h1>Verify Your Identity</h1>{_alert(error, "code-error")}
<p>We sent a 6-digit code to {escape(email)}.</p>
<form method="post" action="{base(site)}/signin/code">
<label for="verify-code">Verification Code</label>
<input id="verify-code" name="code" inputmode="numeric" autocomplete="one-time-code"
 maxlength="6" required><button type="submit" class="primary">Verify</button></form></div>"""
    if lay.name == "legacy":
        return legacy(site, "Verify", body)
    return modern(site, "Verify", body)


def _pending(site: Site, pending: list[Transfer]) -> str:
    items = "".join(
        f'<li data-testid="pending-transfer-{i}"><strong>{escape(t.event_name)}</strong> · '
        f"from {escape(t.sender_name)} · Section {escape(t.section)} Row {escape(t.row)} "
        f"Seats {seats_text(t.seats)} · accept by {format_when(t.expires_at)} "
        f'<a href="{base(site)}/transfer/{t.token}">View Transfer</a></li>'
        for i, t in enumerate(pending))
    inner = f"<ul>{items}</ul>" if pending else "<p>No pending transfers.</p>"
    return (f'<section data-testid="pending-transfers-expander"><h2>Pending Transfers</h2>'
            f"{inner}</section>")


def _events(tickets: list[Ticket]) -> list[tuple[str, Ticket]]:
    seen: dict[str, Ticket] = {}
    for ticket in tickets:
        seen.setdefault(ticket.event_name, ticket)
    return list(seen.items())


def modern_account(site: Site, lay: Layout, account: Account, pending: list[Transfer],
                   authz: str) -> str:
    """My Account: success banner, upcoming events (links), pending transfers."""
    links = "".join(
        f'<li><a data-testid="upcoming-events-link-{i}" href="{base(site)}/myaccount/event/'
        f'{"/".join(event_codes(name, t.event_starts_at))}">{escape(name)} · '
        f"{format_when(t.event_starts_at)}</a></li>"
        for i, (name, t) in enumerate(_events(account.tickets)))
    events = f"<ul>{links}</ul>" if links else "<p>You have no upcoming events.</p>"
    body = f"""<div data-testid="my-account-container">
<div type="success" class="notice">Welcome back, {escape(account.display_name)}!</div>
<h1>{lay.account_heading}</h1>
<section data-testid="landing-upcoming-events-card"><h2>Upcoming Events</h2>{events}</section>
{_pending(site, pending)}
<nav><a data-testid="myAcct2_transfer_sc" href="{base(site)}/myaccount/transfers">Transfer
 Tickets</a> <a data-testid="myAcct2_renewals_sc" href="#">Renewals</a></nav></div>"""
    return modern(site, lay.account_heading, body, authz, signed_in=True)


def seat_line(ticket: Ticket, unreadable: bool) -> str:
    """One owned seat as My Account shows it."""
    if unreadable:
        return "Seat details unavailable"
    once = "" if ticket.transferable else " · Not transferable"
    return (f"Section {escape(ticket.section)} · Row {escape(ticket.row)} · "
            f"Seat {escape(ticket.seat)}{once}")


def modern_event(site: Site, lay: Layout, account: Account, event_name: str | None,
                 authz: str, unreadable: bool) -> str:
    """Event details: the my-tickets card with one line per seat."""
    mine = [t for t in account.tickets if t.event_name == event_name]
    seats = "".join(f"<li>{seat_line(t, unreadable)}</li>" for t in mine)
    body = f"""<div data-testid="my-account-container">
<div id="event-details-my-tickets-card" class="card"><h1>{escape(event_name or "Event")}</h1>
<h2>My Tickets</h2><ul>{seats}</ul>
<button id="event-details-sell-btn" type="button">Sell</button></div>
<div data-testid="carousel-content"><img alt="Add to Google Wallet Button" src="data:,">
<img alt="Save to Apple Wallet" src="data:,"></div></div>"""
    return modern(site, event_name or "Event", body, authz, signed_in=True)


def legacy(site: Site, title: str, body: str) -> str:
    """The eVenue chrome (tables and forms, no app root)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - {escape(site.name)}</title>
<link rel="stylesheet" href="/static/portal.css">{PENDING_INDICATOR}</head>
<body><div class="pending-bar" aria-hidden="true"></div>
<div id="evHeader"><a class="brand" href="{base(site)}/{LEGACY_ACCOUNT.format(link=site.slug)}">
{escape(site.name)}</a></div><div id="evContent">{body}</div></body></html>"""


def legacy_sign_in(site: Site, lay: Layout, error: str | None, notice: str | None) -> str:
    """The one-step eVenue login."""
    note = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    body = f"""<h1>Sign In</h1>{note}{_alert(error, "loginError")}
<form name="loginForm" method="post" action="{base(site)}/{LEGACY_LOGIN}" class="card">
<label for="user_cred">Email</label>
<input id="user_cred" name="user_cred" type="text" autocomplete="username">
<label for="pass_cred">Password</label>
<input id="pass_cred" name="pass_cred" type="password" autocomplete="current-password">
<input type="submit" name="submitForm" value="Sign In" class="primary"></form>"""
    return legacy(site, "Sign In", body)


def legacy_account(site: Site, lay: Layout, account: Account, pending: list[Transfer],
                   unreadable: bool) -> str:
    """The eVenue My Account: a table of owned seats and the pending transfers."""
    rows = "".join(
        f"<tr><td>{escape(t.event_name)}</td><td>{format_when(t.event_starts_at)}</td>"
        f"<td>{seat_line(t, unreadable)}</td></tr>" for t in account.tickets)
    table = (f"<table class='evTable'><caption>My Tickets</caption><thead><tr><th>Event</th>"
             f"<th>Date</th><th>Seats</th></tr></thead><tbody>{rows}</tbody></table>")
    body = f"""<h1>{lay.account_heading}</h1><p>Welcome, {escape(account.display_name)}</p>
{table}{_pending(site, pending)}"""
    return legacy(site, lay.account_heading, body)


def transfer_page(site: Site, lay: Layout, t: Transfer, wrong_account: bool,
                  wrong_message: str) -> str:
    """The accept page (nothing public: plausible, in the site's wording)."""
    action = f"{base(site)}/transfer/{t.token}"
    if wrong_account:
        actions = f'<p role="status">{escape(wrong_message)}</p>'
    elif t.state is TransferState.PENDING:
        fee = (f'<p class="fee">{escape(lay.fee_notice)} ${t.fee_cents / 100:.2f}</p>'
               if t.fee_cents else "")
        actions = (f'{fee}<form method="post" action="{action}/accept"><button type="submit" '
                   f'class="primary">{escape(lay.accept_label)}</button></form>'
                   f'<form method="post" action="{action}/decline"><button type="submit">'
                   f"{escape(lay.decline_label)}</button></form>")
    else:
        actions = f'<p role="status">{escape(state_message(lay, t.state))}</p>'
    body = f"""<div class="card"><h1>{escape(lay.transfer_heading)}</h1>
<p>{escape(t.sender_name)} sent you {len(t.delivered_seats)} ticket(s).</p>
<dl><dt>Event</dt><dd>{escape(t.event_name)}</dd><dt>Date</dt>
<dd>{format_when(t.event_starts_at)}</dd><dt>Section</dt><dd>{escape(t.section)}</dd>
<dt>Row</dt><dd>{escape(t.row)}</dd><dt>Seats</dt><dd>{seats_text(t.delivered_seats)}</dd>
<dt>Accept by</dt><dd>{format_when(t.expires_at)}</dd></dl>{actions}</div>"""
    return _chrome(site, lay, lay.transfer_heading, body)


def payment_page(site: Site, lay: Layout, t: Transfer) -> str:
    """The payment step on the accept path (the recipient fee)."""
    body = f"""<div class="card"><h1>Payment Required</h1>
<p>Amount due: ${t.fee_cents / 100:.2f} (transfer fee)</p>
<form method="post" action="{base(site)}/transfer/{t.token}/pay">
<label for="card-number">Card number</label>
<input id="card-number" name="card" autocomplete="cc-number" inputmode="numeric">
<button type="submit" class="primary">Pay and Accept</button></form></div>"""
    return _chrome(site, lay, "Payment", body)


def decided_page(site: Site, lay: Layout, t: Transfer) -> str:
    """After Accept (or Reject)."""
    if t.state is TransferState.ACCEPTED:
        heading = lay.accepted_heading
        text = (f"{len(t.delivered_seats)} ticket(s) to {escape(t.event_name)} are now in your "
                "account.")
    elif t.state is TransferState.DECLINED:
        heading, text = lay.declined_heading, escape(lay.declined)
    else:
        heading, text = lay.transfer_heading, escape(state_message(lay, t.state))
    body = f"""<div class="card"><h1>{escape(heading)}</h1><p role="status">{text}</p>
<a href="{account_path(site, lay)}">Go to My Account</a></div>"""
    return _chrome(site, lay, heading, body)


def _chrome(site: Site, lay: Layout, title: str, body: str) -> str:
    return legacy(site, title, body) if lay.name == "legacy" else modern(
        site, title, body, signed_in=True)
