"""The portal password goes only to the portal: look-alike links and redirects end untrusted_link.

The look-alike is a logging proxy in front of the sandbox on another loopback address
(127.0.0.2): it serves the real sign-in form, so a runner that signs in wherever it lands
would POST the password to it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import select, text

from app.credentials import portal_key
from app.db.models import Alarm, Run, Transfer
from automation.runs.events import LogLine, StepFinished
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World
from tests.integration.automation.logging_proxy import LoggingProxy

PASSWORD = "Look-Alike+Pass/Word 7&x=1"
LINK_SECRET = "sig-5f0c2e9a71d4"  # a query-string token, as real accept links carry


def _forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, quote(secret, safe="").encode(), quote_plus(secret).encode(),
            base64.b64encode(raw), base64.urlsafe_b64encode(raw)]


def _assert_never_received_password(proxy: LoggingProxy) -> None:
    for request in proxy.received:
        for form in _forms(PASSWORD):
            assert form not in request.blob(), f"the look-alike got the password: {request.path}"


@pytest.fixture
def lookalike(world: World) -> Iterator[LoggingProxy]:
    """The look-alike host, forwarding to the sandbox portal."""
    with LoggingProxy(world.portal.base_url) as proxy:
        yield proxy


def _outcome(world: World, transfer_id: int) -> tuple[str, str | None, str]:
    with world.engine.connect() as conn:
        status = conn.scalar(select(Transfer.status).where(Transfer.id == transfer_id))
        run = conn.execute(select(Run.outcome, Run.detail).where(
            Run.transfer_id == transfer_id).order_by(Run.id.desc())).first()
    assert run is not None
    return str(status), run.outcome, run.detail


def test_rewritten_accept_link_run_by_the_worker_never_reaches_the_lookalike(
    world: World, lookalike: LoggingProxy, database_url: str, tmp_path: Path
) -> None:
    account = world.account(password=PASSWORD)
    transfer_id, sent = world.transfer(account)
    fake = world.portal.accept_url(sent).replace(world.portal.base_url, lookalike.base_url)
    fake += f"?t={LINK_SECRET}"
    with world.engine.begin() as conn:  # a database login rewrites the link
        conn.execute(text("UPDATE transfers SET accept_url = :u WHERE id = :id"),
                     {"u": fake, "id": transfer_id})
    env = dict(os.environ, TRANSFERDESK_DATABASE_URL=database_url,
               TRANSFERDESK_DATA_DIR=str(tmp_path / "data"),
               TRANSFERDESK_CONFIG=str(tmp_path / "no-config.toml"))
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "worker", "--once", "--poll", "1",
         "--role", "transferdesk_bot"],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    status, outcome, detail = _outcome(world, transfer_id)
    assert (status, outcome) == ("needs_review", Outcome.UNTRUSTED_LINK.value), detail
    assert "127.0.0.2" in detail and "not the account's site" in detail
    assert LINK_SECRET not in detail, "the link's token is redacted in the run detail"
    assert lookalike.received == [], "the look-alike was never even opened"
    _assert_never_received_password(lookalike)
    assert world.portal.accept_counts().get(sent.token, 0) == 0
    with world.engine.connect() as conn:
        alarms = conn.execute(select(Alarm.kind, Alarm.message)).all()
    assert [a.kind for a in alarms] == ["untrusted_link"]
    assert LINK_SECRET not in alarms[0].message
    output = proc.stdout + proc.stderr
    assert "untrusted" in output, "the worker logged what it refused"
    assert PASSWORD not in output and LINK_SECRET not in output


def test_site_redirecting_to_a_lookalike_stops_before_the_password(
    world: World, lookalike: LoggingProxy
) -> None:
    # The account's registered site is a front on 127.0.0.1 that sends the accept link away.
    with LoggingProxy(world.portal.base_url, host="127.0.0.1") as site:
        site.redirect(f"/tickets/{SITE}/transfer", lookalike.base_url)
        account = world.account(password=PASSWORD)
        with world.engine.begin() as conn:
            conn.execute(text("UPDATE portal_accounts SET site_url = :u WHERE id = :id"),
                         {"u": f"{site.base_url}/tickets/{SITE}", "id": account.id})
        world.credentials.set(portal_key(str(account.id)), PASSWORD)
        transfer_id, sent = world.transfer(account)
        with world.engine.begin() as conn:
            conn.execute(text("UPDATE transfers SET accept_url = :u WHERE id = :id"), {
                "u": world.portal.accept_url(sent).replace(world.portal.base_url,
                                                           site.base_url) + f"?t={LINK_SECRET}",
                "id": transfer_id})
        world.accounts_used.append(f"{site.base_url}/tickets/{SITE}|{account.username}")

        result = world.run(transfer_id)

    assert result.outcome is Outcome.UNTRUSTED_LINK, result.detail
    assert result.signed_in, "it signed in on the real site first"
    assert any(r.body for r in site.received), "the password went to the registered site"
    assert lookalike.received, "the redirect was followed to the look-alike"
    _assert_never_received_password(lookalike)
    assert world.portal.accept_counts().get(sent.token, 0) == 0
    assert _outcome(world, transfer_id)[:2] == ("needs_review", "untrusted_link")
    shown = [e.message for e in world.of_type(LogLine)] + \
        [e.detail for e in world.of_type(StepFinished)]
    assert shown and not any(LINK_SECRET in line for line in shown), "link tokens are redacted"
