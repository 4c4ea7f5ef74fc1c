"""Screenshot every sandbox portal page (for docs/sandbox.md) with headless Chromium.

Run ``python -m automation.sandbox.screenshots [OUT_DIR]`` (default ``docs/img/sandbox``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from app.config import load_settings
from automation.browser_launch import launch_kwargs
from automation.sandbox.examples import example_transfer
from automation.sandbox.portal import SandboxPortal

SITE = "state-u"
DESK = "tickets@escrow-market.test"
PASSWORD = "demo-password"
SHOTS = (
    "sign-in-email", "sign-in-password", "wrong-password", "locked", "verification-code",
    "my-account", "transfer", "confirmation", "already-accepted", "cancelled", "expired",
    "session-expired", "bot-challenge", "service-unavailable", "alternate-account",
    "alternate-transfer",
)


def _world(portal: SandboxPortal) -> dict[str, str]:
    portal.add_site(SITE, "State University Athletics")
    portal.add_account(SITE, DESK, PASSWORD, "Escrow Market Desk")
    portal.add_account(SITE, "mfa@escrow-market.test", PASSWORD, "MFA Desk", mfa="always")
    portal.add_account(SITE, "locked@escrow-market.test", PASSWORD, "Locked Desk")
    changes: dict[str, dict[str, object]] = {
        "pending": {"seats": ("9", "10")},
        "accepted": {"seats": ("7", "8")},
        "expired": {"expires_in_hours": 0.0001},
        "other": {
            "event_name": "Men's Basketball vs. Coastal Tech", "sender_name": "José Álvarez",
            "sender_email": "jose.alvarez@example.com", "venue": "Coliseum", "section": "212",
            "row": "C", "seats": ("11", "12", "13"),
        },
    }
    tokens = {}
    for name in ("owned", "pending", "accepted", "cancelled", "expired", "other"):
        merged = example_transfer(**changes.get(name, {}))
        tokens[name] = portal.create_transfer(SITE, DESK, **merged).token
    portal.state.accept(tokens["owned"])
    portal.state.accept(tokens["accepted"])
    portal.cancel_transfer(tokens["cancelled"])
    return tokens


def capture(out_dir: Path, browser: Browser | None = None) -> list[Path]:
    """Start a private portal, walk every page and save one PNG per page into ``out_dir``.

    Uses ``browser`` when given (tests share theirs), else launches the configured Chromium.
    """
    if browser is not None:
        return _capture(out_dir, browser)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**launch_kwargs(load_settings().browser))
        try:
            return _capture(out_dir, launched)
        finally:
            launched.close()


def _capture(out_dir: Path, browser: Browser) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    with SandboxPortal() as portal:
        tokens = _world(portal)
        site = portal.site_url(SITE)
        page = context.new_page()
        try:
            def shot(name: str, action: Callable[[Page], object] | None = None) -> None:
                if action is not None:
                    action(page)
                page.wait_for_load_state()
                path = out_dir / f"{name}.png"
                page.screenshot(path=str(path))
                saved.append(path)

            def enter_email(email: str) -> Callable[[Page], object]:
                def run(p: Page) -> None:
                    p.goto(f"{site}/signin")
                    p.get_by_label("Email Address").fill(email)
                    p.get_by_role("button", name="Continue").click()
                    p.get_by_label("Password", exact=True).wait_for()
                return run

            def submit_password(password: str) -> Callable[[Page], object]:
                def run(p: Page) -> None:
                    p.get_by_label("Password", exact=True).fill(password)
                    p.get_by_role("button", name="Sign In", exact=True).click()
                return run

            shot("sign-in-email", lambda p: p.goto(f"{site}/signin"))
            shot("sign-in-password", enter_email("locked@escrow-market.test"))
            shot("wrong-password", submit_password("nope"))
            submit_password("nope")(page)
            shot("locked", submit_password("nope"))
            enter_email("mfa@escrow-market.test")(page)
            shot("verification-code", submit_password(PASSWORD))
            enter_email(DESK)(page)
            submit_password(PASSWORD)(page)
            shot("my-account", lambda p: p.goto(f"{site}/account"))
            shot("transfer", lambda p: p.goto(f"{site}/transfer/{tokens['pending']}"))
            shot("confirmation", lambda p: p.get_by_role("button", name="Accept").click())
            shot("already-accepted", lambda p: p.goto(f"{site}/transfer/{tokens['accepted']}"))
            shot("cancelled", lambda p: p.goto(f"{site}/transfer/{tokens['cancelled']}"))
            portal.advance_clock(5)
            shot("expired", lambda p: p.goto(f"{site}/transfer/{tokens['expired']}"))
            portal.set_faults(SITE, layout="alternate")
            shot("alternate-account", lambda p: p.goto(f"{site}/account"))
            shot("alternate-transfer", lambda p: p.goto(f"{site}/transfer/{tokens['other']}"))
            portal.set_faults(SITE, layout="normal", session_expiry_after=1)
            shot("session-expired", lambda p: p.goto(f"{site}/account"))
            portal.clear_faults()
            portal.set_faults(SITE, bot_challenge=True)
            shot("bot-challenge", lambda p: p.goto(f"{site}/account"))
            portal.set_faults(SITE, bot_challenge=False, error_rate=1.0)
            shot("service-unavailable", lambda p: p.goto(f"{site}/account"))
        finally:
            context.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    """Write the screenshots; print where."""
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0]) if args else Path("docs/img/sandbox")
    for path in capture(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
