"""Sanitized copies of portal pages, for the person who updates a profile.

:func:`sanitize_html` scrubs everything that could identify or authenticate someone: every
form value (inputs, textareas, selected options), ``<meta>`` tokens, the ``pacAuthz`` value and
any other token-like JSON or query value, e-mail addresses, UUIDs and long hex/base64 strings,
plus any literal secret the caller names (password, username, cookie values). Scripts are
emptied except their JSON keys' shape. The screenshot is taken of the SANITIZED markup (scripts
off), so nothing scrubbed from the HTML can reappear in the image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, Page

SCRUBBED = "[scrubbed]"
#: File name start of the sanitized page a selector-drift run attaches as evidence.
SANITIZED_PREFIX = "sanitized-page-"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}\b")
LONG_TOKEN = re.compile(r"(?<![\w/.-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])"
                        r"[A-Za-z0-9_-]{24,}(?:\.[A-Za-z0-9_-]{10,}){0,2}(?![\w/.-])")
JWT = re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}(?:\.[\w-]+)?")
SECRET_NAME = (r"(?:pac-?authz|jwt|bearer|authz|auth[\w-]*|token[\w-]*|[\w-]*token|"
               r"csrf[\w-]*|xsrf[\w-]*|"
               r"session[\w-]*|sid|jsessionid|password|passwd|pass_cred|secret|key|code|otp|"
               r"cookie|barcode|signature|sig)")
JSON_SECRET = re.compile(r'("' + SECRET_NAME + r'"\s*:\s*)("(?:[^"\\]|\\.)*"|[\w.-]+)',
                         re.IGNORECASE)
QUERY_SECRET = re.compile(r"([?&;]" + SECRET_NAME + r"=)[^&#\"'\s<>]*", re.IGNORECASE)
VALUE_ATTR = re.compile(r"(<(?:input|option|button|param)\b[^>]*?\bvalue\s*=\s*)"
                        r"(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
META_CONTENT = re.compile(
    r"(<meta\b[^>]*\bname\s*=\s*[\"']?[^\"'>]*(?:token|csrf|session|key)[^\"'>]*[\"']?[^>]*?"
    r"\bcontent\s*=\s*)(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
TEXTAREA = re.compile(r"(<textarea\b[^>]*>)(.*?)(</textarea>)", re.IGNORECASE | re.DOTALL)
DATA_SECRET = re.compile(r"(\bdata-[\w-]*(?:token|authz|session|key|email|user)[\w-]*\s*=\s*)"
                         r"(\"[^\"]*\"|'[^']*')", re.IGNORECASE)


def sanitize_html(html: str, secrets: Iterable[str] = ()) -> str:
    """``html`` with every value, token, cookie, e-mail address and named secret scrubbed."""
    text = html
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, SCRUBBED)
    text = VALUE_ATTR.sub(lambda m: f'{m.group(1)}""', text)
    text = TEXTAREA.sub(lambda m: m.group(1) + m.group(3), text)
    text = META_CONTENT.sub(lambda m: f'{m.group(1)}"{SCRUBBED}"', text)
    text = DATA_SECRET.sub(lambda m: f'{m.group(1)}"{SCRUBBED}"', text)
    text = JSON_SECRET.sub(lambda m: f'{m.group(1)}"{SCRUBBED}"', text)
    text = QUERY_SECRET.sub(lambda m: m.group(1) + SCRUBBED, text)
    text = EMAIL.sub("[email]", text)
    text = JWT.sub(SCRUBBED, text)
    text = UUID.sub(SCRUBBED, text)
    return LONG_TOKEN.sub(SCRUBBED, text)


@dataclass(frozen=True)
class Snapshot:
    """Where one sanitized snapshot went."""

    html_path: Path
    screenshot_path: Path
    url: str


def _safe_url(url: str) -> str:
    return EMAIL.sub("[email]", QUERY_SECRET.sub(lambda m: m.group(1) + SCRUBBED, url))


async def sanitized_html_of(page: Page, secrets: Iterable[str] = ()) -> str:
    """The current page's markup (live DOM, form values included) sanitized."""
    html = await page.content()
    cookies = [c.get("value", "") for c in await page.context.cookies()]
    return sanitize_html(html, [*secrets, *cookies])


async def save_snapshot(page: Page, browser: Browser, folder: Path, stem: str,
                        secrets: Iterable[str] = ()) -> Snapshot:
    """Save ``stem.html`` (sanitized) and ``stem.png`` (rendered FROM the sanitized HTML)."""
    folder.mkdir(parents=True, exist_ok=True)
    url = _safe_url(page.url)
    html = await sanitized_html_of(page, secrets)
    header = f"<!-- sanitized snapshot of {url} (TransferDesk portal snapshot) -->\n"
    html_path, shot_path = folder / f"{stem}.html", folder / f"{stem}.png"
    html_path.write_text(header + html, encoding="utf-8")
    context = await browser.new_context(java_script_enabled=False)
    await context.route("**/*", lambda route: route.abort())  # render offline, fetch nothing
    try:
        view = await context.new_page()
        await view.set_content(html, wait_until="load")
        await view.screenshot(path=str(shot_path), full_page=True)
    finally:
        await context.close()
    return Snapshot(html_path, shot_path, url)
