"""No password ever lands in a trace, a screenshot, a frame or a log line: scan them all."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
from sqlalchemy import select

from app.db.models import Evidence
from automation.runs.events import Frame, LogLine
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import SITE, World


def _contains(blob: bytes, secret: str) -> bool:
    needles = {secret.encode(), secret.encode("utf-16-le"), secret.lower().encode()}
    return any(n in blob for n in needles)


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
    scanned = 0
    for trace in traces:
        with zipfile.ZipFile(io.BytesIO(trace)) as archive:
            for name in archive.namelist():
                content = archive.read(name)
                scanned += 1
                for secret in (good, typo):
                    assert not _contains(content, secret), f"{secret} in trace entry {name}"
    assert scanned > 10, "the traces really hold snapshots and network entries"
    frames = [f.jpeg for f in world.of_type(Frame)]
    assert frames
    for blob in shots + frames:
        assert not _contains(blob, good) and not _contains(blob, typo)
    lines = [e.message for e in world.of_type(LogLine)] + [r.getMessage() for r in caplog.records]
    assert lines
    for line in lines:
        assert good not in line and typo not in line
    assert account.username in " ".join(lines), "the scan looked at real log lines"
