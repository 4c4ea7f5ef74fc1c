"""Stored traces carry no live session: no cookie, Set-Cookie or token value, in the database
and in the journal, and the archive is still a Playwright trace."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.db.local_cluster import LocalCluster
from app.db.models import Evidence
from automation.browser.trace_scrub import REDACTED, scrub_trace
from automation.journal import FinishedRun, OutcomeJournal
from automation.runs.events import StepStarted
from automation.runs.outcomes import Outcome
from tests.integration.automation.conftest import World
from tests.integration.automation.test_journal import own_cluster  # noqa: F401 (fixture)
from tests.integration.automation.test_no_secrets import live_cookie_values
from tests.integration.automation.test_run_recording import use_cluster
from tests.secret_scan import secrets_in_trace, trace_entries


def _assert_playwright_trace(trace: bytes) -> list[dict[str, object]]:
    """Valid zip, JSON-lines event logs, every referenced resource present; network events."""
    entries = dict(trace_entries(trace))
    assert "trace.trace" in entries and "trace.network" in entries, sorted(entries)
    events = [json.loads(line) for line in entries["trace.trace"].decode().splitlines() if line]
    assert events[0]["type"] == "context-options" and events[0]["version"] >= 1
    network = [json.loads(line) for line in entries["trace.network"].decode().splitlines()
               if line]
    assert network and all(e["type"] == "resource-snapshot" for e in network)
    text = entries["trace.trace"].decode() + entries["trace.network"].decode()
    for sha1 in {part.split('"')[0] for part in text.split('"_sha1":"')[1:]}:
        assert f"resources/{sha1}" in entries, f"resource {sha1} missing"
    return network


def _session_headers(network: list[dict[str, object]]) -> list[str]:
    values = []
    for event in network:
        snapshot = event["snapshot"]
        assert isinstance(snapshot, dict)
        for side in ("request", "response"):
            for header in snapshot[side]["headers"]:
                if header["name"].lower() in ("cookie", "set-cookie"):
                    values.append(header["value"])
    return values


def test_stored_trace_holds_no_cookie_and_still_opens(world: World) -> None:
    account = world.account()
    transfer_id, _ = world.transfer(account)
    assert world.run(transfer_id).outcome is Outcome.ACCEPTED
    world.run(world.transfer(account)[0])  # a second run: the session cookies are sent

    cookies = live_cookie_values(world)
    assert cookies
    with world.engine.connect() as conn:
        traces = [bytes(c) for c in conn.scalars(
            select(Evidence.content).where(Evidence.kind == "trace"))]
    assert len(traces) == 2
    headers: list[str] = []
    for trace in traces:
        assert secrets_in_trace(trace, cookies) == []
        headers += _session_headers(_assert_playwright_trace(trace))
    assert headers and set(headers) == {REDACTED}, "cookie headers were there, now blank"


def test_journaled_trace_holds_no_cookie(
    world: World, own_cluster: LocalCluster  # noqa: F811
) -> None:
    use_cluster(world, own_cluster, migrate_first=True)
    account = world.account()
    first, _ = world.transfer(account)
    assert world.run(first).outcome is Outcome.ACCEPTED
    job = world.claim_job(world.transfer(account)[0])
    world.bus.subscribe(
        lambda e: own_cluster.stop() if e.step == "confirm_ownership" else None, StepStarted)
    assert world.runner().submit(job).result(timeout=180).journaled
    world.engine.dispose()

    (path,) = OutcomeJournal(world.journal_dir).pending()
    record = FinishedRun.from_json(path.read_text())
    traces = [e.content for e in record.evidence if e.kind == "trace"]
    assert traces
    cookies = live_cookie_values(world)
    for trace in traces:
        assert secrets_in_trace(trace, cookies) == []
        _assert_playwright_trace(trace)


def test_scrub_blanks_auth_headers_and_their_values_everywhere() -> None:
    import io
    import zipfile

    event = {"type": "resource-snapshot", "snapshot": {
        "request": {"url": "https://x.test/a", "headers": [
            {"name": "Authorization", "value": "Bearer tok-1234567890"},
            {"name": "X-CSRF-Token", "value": "csrf-abcdefgh"},
            {"name": "Accept", "value": "text/html"}], "cookies": []},
        "response": {"headers": [{"name": "Set-Cookie", "value": "sid=s3ss10n-v4lue; Path=/"}],
                     "cookies": [{"name": "sid", "value": "s3ss10n-v4lue"}]}}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("trace.network", json.dumps(event) + "\n")
        archive.writestr("resources/abc", b"echo tok-1234567890 and s3ss10n-v4lue")
    scrubbed = scrub_trace(buffer.getvalue())
    entries = dict(trace_entries(scrubbed))
    assert secrets_in_trace(scrubbed, ["tok-1234567890", "csrf-abcdefgh", "s3ss10n-v4lue"]) == []
    assert b"text/html" in entries["trace.network"]
    assert entries["resources/abc"] == b"echo [redacted] and [redacted]"
