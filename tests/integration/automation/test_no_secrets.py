"""No password and no live session cookie ever lands in a trace, a screenshot, a frame or a log
line: scan them all, in every encoding."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.db.models import Evidence
from automation.runs.events import Frame, LogLine
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World
from tests.secret_scan import found_in, trace_entries


def _contains(blob: bytes, secret: str) -> bool:
    return bool(found_in(blob, [secret]))


def live_cookie_values(world: World) -> list[str]:
    """The values of every cookie the test's browser sessions hold now (session, device)."""
    values: list[str] = []
    for key in world.accounts_used:
        session = world.service.call(world.service.session(key), timeout=30)
        cookies = world.service.call(session.context.cookies(), timeout=30)
        values += [c["value"] for c in cookies if len(c.get("value", "")) >= 8]
    return values


def test_no_password_in_traces_screenshots_frames_or_logs(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = "Correct-Horse-Battery-9137"
    typo = "Wrong-Staple-Secret-4242"
    account = world.account(password=good)
    ok_id, _ = world.transfer(account)
    assert world.run(ok_id).outcome is Outcome.ACCEPTED  # fresh sign-in, then traced steps
    world.portal.set_faults(SITE, session_expiry_after=3)
    resigned = world.run(world.transfer(account)[0])  # sign-in again in the middle of a trace
    assert resigned.outcome is Outcome.ACCEPTED and resigned.signed_in
    world.portal.set_faults(SITE, session_expiry_after=0)
    failing = world.account(password=good, keyring_password=typo)
    failed = world.run(world.transfer(failing)[0])  # screenshot taken on the password page
    assert failed.outcome is Outcome.LOGIN_FAILED

    with world.engine.connect() as conn:
        evidence = conn.execute(select(Evidence.kind, Evidence.filename, Evidence.content)).all()
    traces = [bytes(c) for kind, _, c in evidence if kind == "trace"]
    shots = [bytes(c) for kind, _, c in evidence if kind == "screenshot"]
    assert len(traces) >= 3 and len(shots) == 3
    cookies = live_cookie_values(world)
    assert cookies, "the portal set session cookies"
    scanned = 0
    for trace in traces:
        for name, content in trace_entries(trace):
            scanned += 1
            for secret in (good, typo, *cookies):
                assert not _contains(content, secret), f"{secret} in trace entry {name}"
    assert scanned > 10, "the traces really hold snapshots and network entries"
    frames = [f.jpeg for f in world.of_type(Frame)]
    assert frames
    for blob in shots + frames:
        assert not found_in(blob, [good, typo, *cookies])
    lines = [e.message for e in world.of_type(LogLine)] + [r.getMessage() for r in caplog.records]
    assert lines
    for line in lines:
        assert not found_in(line.encode(), [good, typo, *cookies]), line
    assert account.username in " ".join(lines), "the scan looked at real log lines"
