"""The support tools: `portal check` on pages built only from public facts, sanitized
snapshots (no secret survives), profile detection on `accounts add`, `portal profiles`."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from app.config import load_settings
from automation.browser.service import BrowserService
from automation.portals.snapshot import sanitize_html, save_snapshot
from automation.portals.tools import detect_profile
from tests.integration.sandbox.conftest import DESK, PASSWORD, World

PUBLIC = Path(__file__).parent / "public_pages"
MODERN_SITE, LEGACY_SITE = "pac-modern", "pac-legacy"


@pytest.fixture(scope="module")
def real_sites(world: World) -> World:
    """A modern and a legacy Paciolan site on the module's sandbox portal."""
    for slug, layout in ((MODERN_SITE, "modern"), (LEGACY_SITE, "legacy")):
        world.portal.add_site(slug, f"{slug} Athletics")
        world.portal.add_account(slug, DESK, PASSWORD, "Market Desk")
        world.portal.set_faults(slug, layout=layout)
    return world


@pytest.fixture(scope="module")
def service() -> Iterator[BrowserService]:
    browsers = BrowserService(load_settings(environ={}).browser, None)
    browsers.start()
    yield browsers
    browsers.stop()


@pytest.fixture
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("TRANSFERDESK_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], profile: str, *files: Path) -> list[dict]:
    assert main(["portal", "check", profile, *map(str, files)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_check_finds_the_modern_profile_on_pages_built_from_public_facts(
        no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signin, account, event = check(capsys, "paciolan", PUBLIC / "modern_signin.html",
                                   PUBLIC / "modern_myaccount.html",
                                   PUBLIC / "modern_event_details.html")
    for element in ("email_field", "continue_button", "password_field", "keep_signed_in",
                    "sign_in_button"):
        assert signin["elements"][element] is not None, element
        assert signin["elements"][element]["alternative"] == 0, element  # the id / test-id
    assert signin["elements"]["accept_button"] is None
    assert signin["elements"]["error_message"] is None  # no error shown: the empty box hides
    assert signin["elements"]["account_marker"] is None
    assert account["elements"]["account_marker"] == {"alternative": 0,
                                                     "matched": "test_id='my-account-container'"}
    assert account["elements"]["event_link"]["alternative"] == 0
    assert account["elements"]["pending_list"]["alternative"] == 0
    assert event["elements"]["owned_tickets"]["alternative"] == 0
    assert signin["profile"] == "paciolan" and signin["source"].endswith("paciolan.toml")


def test_check_finds_the_legacy_login(no_config: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (login,) = check(capsys, "paciolan_legacy", PUBLIC / "legacy_login.html")
    for element in ("email_field", "password_field", "sign_in_button"):
        assert login["elements"][element]["alternative"] == 0, element


def test_check_of_a_missing_file_is_one_clear_line(
        no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["portal", "check", "paciolan", str(no_config / "nope.html")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]


def test_sanitize_html_scrubs_values_tokens_cookies_and_addresses() -> None:
    secret_cookie = "c0ok1e-VALUE-abcdefghijklmnop"
    html = f"""<html><head><meta name="csrf-token" content="tok-123-secret"></head><body>
<input id="signin-email-input" value="box-office@market.example">
<input type="password" value="{PASSWORD}"><input type="hidden" name="sid" value="abc123xyz">
<textarea>private note</textarea>
<a href="/transfer/accept?token=QWERTY123456&amp;code=998877&amp;user=box-office%40market.example">
Accept</a><p>Signed in as box-office@market.example</p>
<div data-session-id="S3ss10n">x</div>
<script>window.__DATA__={{"pacAuthz":"6f1c2a8e-1111-4a4a-9b9b-0123456789ab","sessionId":"abc",
"name":"Baseball","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk1234"}};
document.cookie="PACSESSION={secret_cookie}";</script></body></html>"""
    clean = sanitize_html(html, [PASSWORD, secret_cookie])
    for secret in ("box-office", PASSWORD, "abc123xyz", "private note", "QWERTY123456",
                   "998877", "6f1c2a8e", "tok-123-secret", "S3ss10n", secret_cookie,
                   "eyJhbGciOiJIUzI1NiJ9", "market.example"):
        assert secret not in clean, secret
    assert "signin-email-input" in clean and "Baseball" in clean  # the markup stays usable


def test_snapshot_of_a_signed_in_modern_page_keeps_no_secret(
        real_sites: World, service: BrowserService, tmp_path: Path) -> None:
    async def walk() -> tuple[str, list[str], object]:
        session = await service.session("snapshot")
        page = await session.page()
        await page.goto(f"{real_sites.site_url(MODERN_SITE)}/signin")
        await page.fill("#signin-email-input", DESK)
        await page.click("#signin-submit-btn")
        await page.fill("#signin-pass-input", PASSWORD)
        await page.click("#signin-submit-btn")
        await page.wait_for_selector("[data-testid='my-account-container']")
        raw = await page.content()
        cookies = [c["value"] for c in await session.context.cookies()]
        shot = await save_snapshot(page, await service.browser(), tmp_path, "myaccount",
                                   [PASSWORD, DESK])
        return raw, cookies, shot

    raw, cookies, shot = service.call(walk(), timeout=120)
    authz = raw.split('"pacAuthz":"', 1)[1].split('"', 1)[0]
    html = shot.html_path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert "my-account-container" in html
    for secret in (PASSWORD, DESK, authz, *cookies):
        assert secret and secret not in html, secret
    assert shot.screenshot_path.read_bytes().startswith(b"\x89PNG")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("site", "expected"), [(MODERN_SITE, "paciolan"),
                                                (LEGACY_SITE, "paciolan_legacy"),
                                                ("state-u", "sandbox_paciolan")])
def test_detection_picks_the_profile_whose_sign_in_markers_match(
        real_sites: World, service: BrowserService, site: str, expected: str) -> None:
    assert detect_profile(service, "paciolan", real_sites.site_url(site)) == expected


def test_accounts_add_detects_and_records_the_profile_and_profiles_lists_it(
        real_sites: World, database_url: str, keyring_service: str, no_config: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRANSFERDESK_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    site_url = real_sites.site_url(MODERN_SITE)
    assert main(["accounts", "add", "--site-url", site_url, "--username", DESK]) == 0
    out = capsys.readouterr().out
    assert f"{site_url} matches portal profile paciolan" in out and "profile: paciolan" in out
    account_id = out.split("#", 1)[1].split()[0]

    assert main(["portal", "profiles"]) == 0
    rows = {line.split("\t")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert rows["paciolan"].split("\t")[1] == "bundled"
    assert f"#{account_id} {DESK}" in rows["paciolan"]
    assert rows["sandbox_paciolan"].split("\t")[1] == "sandbox"

    assert main(["portal", "use", account_id, "paciolan_legacy"]) == 0
    capsys.readouterr()
    assert main(["portal", "profiles"]) == 0
    rows = {line.split("\t")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert f"#{account_id} " in rows["paciolan_legacy"]
    assert f"#{account_id} " not in rows["paciolan"]
    assert main(["portal", "use", account_id, "nope"]) == 1
    assert "no portal profile named 'nope'" in capsys.readouterr().err
