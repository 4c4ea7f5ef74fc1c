"""Open trace on the desk: the run's trace is served by the built-in viewer on 127.0.0.1 and
handed to the default browser (no ``python -m playwright``, no child process of the desk)."""

from __future__ import annotations

import io
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

from PySide6.QtGui import QDesktopServices

from app.evidence import EvidenceStore
from tests.ui.conftest import seed_transfers
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.detail_pane import DetailPane


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("trace.trace", '{"type":"context-options"}\n')
    return buffer.getvalue()


def test_open_trace_serves_it_on_loopback_and_opens_the_browser(
    qtbot, run, engine, backend, account_id, monkeypatch
):
    transfer_id = seed_transfers(engine, 1, account_id)[0]
    content = _zip()
    EvidenceStore(engine, "tests").put("trace", "run-trace.zip", content, transfer_id)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toString()) or True))
    executor, tasks = ServiceExecutor(2), TaskGroup()
    pane = DetailPane(backend, executor, tasks)
    qtbot.addWidget(pane)
    try:
        (ev,) = [e for e in backend.detail(transfer_id).evidence if e.kind == "trace"]
        with qtbot.waitSignal(pane.trace_opened, timeout=10000) as signal:
            url = run(pane.open_trace(ev))

        assert opened == [url] and signal.args == [url]
        assert urlsplit(url).hostname == "127.0.0.1"
        trace_url = parse_qs(urlsplit(url).query)["trace"][0]
        assert urlsplit(trace_url).hostname == "127.0.0.1"
        with urllib.request.urlopen(trace_url, timeout=10) as response:
            assert response.read() == content
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"Playwright Trace Viewer" in response.read()
    finally:
        pane.shutdown()
        executor.shutdown(wait=True)
