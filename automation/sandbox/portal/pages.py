"""HTML of every sandbox portal page, as small string templates.

Pages are plain, accessible HTML (headings, labelled fields, buttons with text, ``role="alert"``
for errors and ``role="status"`` for states) so Playwright's role and text locators work as they
would on the real site. ``main`` carries ``data-page`` (and ``data-transfer-state`` on transfer
pages) as a stable hook for CSS fallbacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from automation.sandbox.notices import format_when
from automation.sandbox.portal.layouts import Layout
from automation.sandbox.portal.state import Account, Site, Transfer, TransferState


def state_message(lay: Layout, state: TransferState) -> str:
    """What a transfer page says for a decided transfer (the site's wording)."""
    return {
        TransferState.ACCEPTED: lay.already_accepted,
        TransferState.DECLINED: lay.declined,
        TransferState.EXPIRED: lay.expired,
        TransferState.CANCELLED: lay.cancelled,
    }.get(state, "")


WRONG_ACCOUNT_MESSAGE = "This transfer was sent to a different account."
SESSION_EXPIRED_MESSAGE = "Your session has expired. Please sign in again."
LOCKED_MESSAGE = (
    "Your account is temporarily locked after too many failed sign-in attempts. "
    "Try again in {minutes} minutes."
)
WRONG_PASSWORD_MESSAGE = "The email or password you entered is incorrect."


# While a navigation is pending (a form sent, a link followed, the next page requested) an
# animated bar runs along the top edge, as on real ticket sites; slow portals (latency fault)
# therefore keep repainting, which the live view shows.
PENDING_INDICATOR = """<style>
.pending-bar{position:fixed;top:0;left:0;height:4px;width:30%;background:#1a73e8;display:none}
body.pending .pending-bar{display:block;animation:pending-slide 1s linear infinite}
@keyframes pending-slide{from{transform:translateX(-100%)}to{transform:translateX(340%)}}
</style><script>
addEventListener("submit", function () { document.body.classList.add("pending"); });
addEventListener("beforeunload", function () { document.body.classList.add("pending"); });
addEventListener("pageshow", function () { document.body.classList.remove("pending"); });
</script>"""


def seats_text(seats: Iterable[str]) -> str:
    """``5, 6, 7``."""
    return ", ".join(seats)


def page(site: Site | None, title: str, body: str, kind: str, user: str | None = None) -> str:
    """Wrap a page body in the site's chrome (header, main landmark, footer)."""
    site_name = escape(site.name) if site else "Sandbox Ticketing"
    home = f"/tickets/{site.slug}/account" if site else "/"
    user_bar = ""
    if site is not None and user is not None:
        user_bar = (
            f'<form method="post" action="/tickets/{site.slug}/signout" class="user-bar">'
            f"<span>Signed in as {escape(user)}</span> "
            f'<button type="submit" class="link">Sign Out</button></form>'
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | {site_name}</title>
<link rel="stylesheet" href="/static/portal.css">{PENDING_INDICATOR}</head>
<body><div class="pending-bar" aria-hidden="true"></div>
<header class="site-header"><a class="brand" href="{home}">{site_name}</a>
<span class="powered">Ticketing by Sandbox Paciolan</span>{user_bar}</header>
<main data-page="{kind}">{body}</main>
<footer>Sandbox portal for TransferDesk demos and tests. No real tickets.</footer>
</body></html>"""


def _alert(message: str | None) -> str:
    return f'<p class="alert" role="alert">{escape(message)}</p>' if message else ""


def _notice(message: str | None) -> str:
    return f'<p class="notice" role="status">{escape(message)}</p>' if message else ""


def sign_in_email(site: Site, lay: Layout, error: str | None, notice: str | None) -> str:
    """Step 1: the email address."""
    body = f"""<h1>{lay.sign_in_heading}</h1>{_notice(notice)}{_alert(error)}
<form method="post" action="/tickets/{site.slug}/signin" class="card">
<label for="{lay.email_id}">{lay.email_label}</label>
<input id="{lay.email_id}" name="email" type="email" autocomplete="username" required>
<button type="submit" class="primary">{lay.continue_label}</button></form>"""
    return page(site, lay.sign_in_heading, body, "sign-in-email")


def sign_in_password(site: Site, lay: Layout, email: str, error: str | None) -> str:
    """Step 2: the password and "keep me signed in"."""
    body = f"""<h1>{lay.sign_in_heading}</h1>{_alert(error)}
<form method="post" action="/tickets/{site.slug}/signin/password" class="card">
<p class="account-email">{escape(email)}
<a href="/tickets/{site.slug}/signin?restart=1">Not you?</a></p>
<label for="{lay.password_id}">{lay.password_label}</label>
<input id="{lay.password_id}" name="password" type="password"
 autocomplete="current-password" required>
<div class="check"><input id="{lay.keep_id}" name="keep" type="checkbox" value="1">
<label for="{lay.keep_id}">{lay.keep_label}</label></div>
<button type="submit" class="primary">{lay.sign_in_label}</button></form>"""
    return page(site, lay.sign_in_heading, body, "sign-in-password")


def sign_in_code(site: Site, lay: Layout, email: str, error: str | None) -> str:
    """Step 3 (when required): the emailed 6-digit code."""
    body = f"""<h1>{lay.code_heading}</h1>{_alert(error)}
<p>We sent a 6-digit code to {escape(email)}. It expires in a few minutes.</p>
<form method="post" action="/tickets/{site.slug}/signin/code" class="card">
<label for="{lay.code_id}">{lay.code_label}</label>
<input id="{lay.code_id}" name="code" inputmode="numeric" autocomplete="one-time-code"
 pattern="[0-9]{{6}}" maxlength="6" required>
<button type="submit" class="primary">{lay.submit_code_label}</button></form>
<form method="post" action="/tickets/{site.slug}/signin/code/resend">
<button type="submit" class="link">Send a new code</button></form>"""
    return page(site, lay.code_heading, body, "sign-in-code")


def _owned(lay: Layout, account: Account) -> str:
    if not account.tickets:
        return '<p class="empty">You have no tickets yet.</p>'
    if lay.owned_as_table:
        rows = "".join(
            f"<tr><td>{escape(t.event_name)}</td><td>{format_when(t.event_starts_at)}</td>"
            f"<td>{escape(t.section)}</td><td>{escape(t.row)}</td><td>{escape(t.seat)}</td></tr>"
            for t in account.tickets
        )
        return (
            f'<table class="tickets" aria-label="{lay.owned_heading}"><thead><tr>'
            '<th scope="col">Event</th><th scope="col">Date</th><th scope="col">Section</th>'
            '<th scope="col">Row</th><th scope="col">Seat</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    items = "".join(
        f'<li class="wallet-item"><strong>{escape(t.event_name)}</strong> '
        f"<span>{format_when(t.event_starts_at)}</span> "
        f'<span class="seat-line">Sec {escape(t.section)} · Row {escape(t.row)} · '
        f"Seat {escape(t.seat)}</span></li>"
        for t in account.tickets
    )
    return f'<ul class="wallet" aria-label="{lay.owned_heading}">{items}</ul>'


def account_page(
    site: Site, lay: Layout, account: Account, pending: list[Transfer], notice: str | None
) -> str:
    """My Account: owned tickets and pending incoming transfers."""
    if pending:
        items = "".join(
            f'<li class="pending-transfer" data-token="{t.token}">'
            f"<strong>{escape(t.event_name)}</strong> · {len(t.seats)} ticket(s) from "
            f"{escape(t.sender_name)} · Section {escape(t.section)} Row {escape(t.row)} "
            f"Seats {seats_text(t.seats)} · expires {format_when(t.expires_at)} "
            f'<a href="/tickets/{site.slug}/transfer/{t.token}">{lay.view_transfer_label}</a></li>'
            for t in pending
        )
        pending_html = f'<ul class="pending" aria-label="{lay.pending_heading}">{items}</ul>'
    else:
        pending_html = '<p class="empty">No pending transfers.</p>'
    body = f"""<h1>{lay.account_heading}</h1>{_notice(notice)}
<p>Welcome, {escape(account.display_name)}.</p>
<section aria-labelledby="pending-h"><h2 id="pending-h">{lay.pending_heading}</h2>
{pending_html}</section>
<section aria-labelledby="owned-h"><h2 id="owned-h">{lay.owned_heading}</h2>
{_owned(lay, account)}</section>"""
    return page(site, lay.account_heading, body, "my-account", account.email)


def _details(t: Transfer, lay: Layout) -> str:
    pairs = [
        ("From", f"{t.sender_name} ({t.sender_email})"),
        ("Event", t.event_name),
        ("Date", format_when(t.event_starts_at)),
        ("Venue", t.venue),
        ("Section", t.section),
        ("Row", t.row),
        ("Seats", seats_text(t.delivered_seats)),
        ("Quantity", str(len(t.delivered_seats))),
        ("Accept by", format_when(t.expires_at)),
    ]
    if lay.owned_as_table:
        rows = "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
        return f'<dl class="details">{rows}</dl>'
    rows = "".join(f'<p class="detail"><span>{k}:</span> {escape(v)}</p>' for k, v in pairs)
    return f'<div class="details-alt">{rows}</div>'


def transfer_page(site: Site, lay: Layout, t: Transfer, user: str, wrong_account: bool) -> str:
    """A transfer: details plus Accept / Decline while pending, else its state."""
    base = f"/tickets/{site.slug}/transfer/{t.token}"
    if wrong_account:
        actions = f'<p class="notice" role="status">{WRONG_ACCOUNT_MESSAGE}</p>'
    elif t.state is TransferState.PENDING:
        accept = (
            f'<form method="post" action="{base}/accept">'
            f'<button type="submit" class="primary" id="accept-{lay.name}">{lay.accept_label}'
            "</button></form>"
        )
        decline = (
            f'<form method="post" action="{base}/decline">'
            f'<button type="submit" class="secondary">{lay.decline_label}</button></form>'
        )
        ordered = accept + decline if lay.owned_as_table else decline + accept
        actions = f'<div class="actions">{ordered}</div>'
    else:
        actions = f'<p class="notice" role="status">{escape(state_message(lay, t.state))}</p>'
    body = f"""<h1>{lay.transfer_heading}</h1>
<p class="lead">{escape(t.sender_name)} sent you {len(t.delivered_seats)} ticket(s).</p>
{_details(t, lay)}{actions}"""
    return _with_state(page(site, lay.transfer_heading, body, "transfer", user), t.state)


def decided_page(site: Site, lay: Layout, t: Transfer, user: str) -> str:
    """Confirmation after Accept (or Decline)."""
    if t.state is TransferState.ACCEPTED:
        heading = lay.accepted_heading
        text = (
            f"You accepted {len(t.delivered_seats)} ticket(s) to {escape(t.event_name)}: "
            f"Section {escape(t.section)}, Row {escape(t.row)}, "
            f"Seats {seats_text(t.delivered_seats)}. They are now in your account."
        )
    elif t.state is TransferState.DECLINED:
        heading = lay.declined_heading
        text = f"The tickets to {escape(t.event_name)} were returned to {escape(t.sender_name)}."
    else:
        heading, text = lay.transfer_heading, escape(state_message(lay, t.state))
    body = f"""<h1>{heading}</h1><p role="status" class="confirmation">{text}</p>
<p><a href="/tickets/{site.slug}/account">Go to {lay.account_heading}</a></p>"""
    return _with_state(page(site, heading, body, "confirmation", user), t.state)


def _with_state(html: str, state: TransferState) -> str:
    return html.replace("<main ", f'<main data-transfer-state="{state}" ', 1)


def not_found(site: Site | None, what: str) -> str:
    """404 page."""
    body = f"<h1>Page Not Found</h1><p>We couldn't find {escape(what)}.</p>"
    return page(site, "Not Found", body, "not-found")


def unavailable(site: Site | None) -> str:
    """503 page for the error-rate fault."""
    body = (
        "<h1>Service Unavailable</h1><p>We are experiencing high demand. "
        "Please try again in a moment.</p>"
    )
    return page(site, "Service Unavailable", body, "error")


def challenge(site: Site, nonce: str, next_url: str, hold_ms: int) -> str:
    """The bot-challenge interstitial: press and hold the button until it fills."""
    body = f"""<h1>Please verify you are a human</h1>
<div id="px-captcha" data-challenge="press-and-hold">
<p>Press and hold the button until it is confirmed.</p>
<form id="challenge-form" method="post" action="/tickets/{site.slug}/challenge">
<input type="hidden" name="nonce" value="{nonce}">
<input type="hidden" name="next" value="{escape(next_url)}">
<input type="hidden" name="held_ms" id="held-ms" value="0">
<button type="button" id="hold-button" class="hold">Press &amp; Hold</button></form>
<div class="hold-progress"><div id="hold-bar"></div></div></div>
<script>
(function () {{
  var need = {hold_ms}, start = 0, timer = null, bar = document.getElementById("hold-bar");
  var btn = document.getElementById("hold-button");
  function stop() {{ clearInterval(timer); timer = null; bar.style.width = "0"; }}
  btn.addEventListener("pointerdown", function () {{
    start = Date.now();
    timer = setInterval(function () {{
      var held = Date.now() - start;
      bar.style.width = Math.min(100, 100 * held / need) + "%";
      if (held >= need) {{
        clearInterval(timer);
        document.getElementById("held-ms").value = String(held);
        document.getElementById("challenge-form").submit();
      }}
    }}, 50);
  }});
  btn.addEventListener("pointerup", stop);
  btn.addEventListener("pointerleave", stop);
}})();
</script>"""
    return page(site, "Access check", body, "bot-challenge")


def index(sites: Iterable[Site]) -> str:
    """The root page: links to every site."""
    items = "".join(
        f'<li><a href="/tickets/{s.slug}/account">{escape(s.name)}</a></li>' for s in sites
    )
    body = f"<h1>Sandbox ticket sites</h1><ul>{items}</ul>"
    return page(None, "Sandbox ticket sites", body, "index")
