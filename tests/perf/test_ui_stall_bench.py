"""GUI loop stall while the run panel shows a live run at ~5 fps, with 100k rows loaded.

A 10 ms QTimer probe measures how late the Qt loop serves it (goals: p99 <= 16 ms,
max <= 50 ms) while a batch of real acceptance runs streams frames into the visible run panel,
the queue holds ``DESK_ROWS`` transfers and the change feed is listening.

Frames: CDP screencast sends a frame only when the page repaints, so a static page gives about
one frame per second. The sandbox portal is slowed with its latency switch and shows an
animated progress bar while each request is pending (as real ticket sites do), so the page keeps
repainting for most of the run; the screencast throttle caps what reaches the GUI at 5 fps. The
figures report what the panel actually received and painted, per second of run.

Runs alternate between the panel shown (frames decoded and painted) and hidden (frames dropped
undecoded), after one unmeasured warm-up run that signs in, so the cost of showing frames is
measured against a baseline under the same machine load (``hidden_panel_stall_*``).

A second benchmark opens evidence (a full-page screenshot's thumbnail, decoded in the image
helper process as deployed; its export; a trace in the served viewer) and then closes a desk
whose browser is running, timing the same probe in each stretch (goal: never over 100 ms; the
closers run on a thread, the window hides at once). The ``idle`` stretch is the baseline: what
the machine's load alone costs the probe (on two shared cores, CPU queueing dominates).

Sizes scale with ``TRANSFERDESK_PERF_SCALE``.
"""

from __future__ import annotations

import io
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QBuffer, QByteArray, QElapsedTimer, QIODevice, QTimer
from PySide6.QtGui import QColor, QDesktopServices, QImage, QPainter

from app.changefeed import ChangeFeed
from app.config import load_settings
from app.credentials import portal_key
from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from app.domain.records import NewTransfer
from app.events import EventBus
from app.evidence import EvidenceStore
from app.services.queue import QueueService
from app.services.transfers import TransferService
from automation.runs.desk_control import DeskRunControl
from automation.sandbox.portal import SandboxPortal
from tests.perf.desk_support import DESK_ROWS, spin_until
from tests.perf.report import percentile, report, scale
from ui.bridge import EventBridge
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.main_window import MainWindow
from ui.queue_view import QueueWidget
from ui.run_panel import RunPanel

pytestmark = [pytest.mark.perf,
              pytest.mark.qt_log_ignore("does not support propagateSizeHints")]
RUNS = max(1, round(2 * scale()))  # per phase (hidden / shown), after one warm-up run
LATENCY_MS = 1500  # per portal request: each run spends most of its time on a pending page
FPS_CAP = 5.0
SITE = "state-u"


def _pending_rows(portal: SandboxPortal, transfers: TransferService, account: Any,
                  email: str, engine: Any) -> list[Any]:
    rows = []
    for _ in range(1 + 2 * RUNS):
        starts = datetime.now(UTC) + timedelta(days=5)
        sent = portal.create_transfer(
            SITE, email, sender_name="Sam Seller", sender_email="sam@seller.test",
            event_name="Bench Game", event_starts_at=starts, venue="Stadium",
            section="101", row="F", seats=["5", "6"])
        full = transfers.create(NewTransfer(
            order_ref=f"BENCH-{secrets.token_hex(4)}", event_name="Bench Game",
            account_id=account.id, event_starts_at=starts, section="101", row="F",
            seats=("5", "6")))
        transfers.mark_notice_received(full.row.id, accept_url=portal.accept_url(sent),
                                       transfer_ref=sent.token, accept_by=sent.expires_at)
        rows.append(QueueService(engine).rows([full.row.id])[0])
    return rows


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def test_gui_stall_during_live_run_at_5_fps(
    qtbot: Any, loop: qasync.QEventLoop, desk_bench_url: str, tmp_path: Path,
    credential_store: Any,
) -> None:
    engine = make_engine(desk_bench_url)
    executor = ServiceExecutor(4)
    queue = QueueWidget(ServiceBackend(engine, "bench"), executor, TaskGroup())
    queue.resize(1200, 800)
    qtbot.addWidget(queue)
    queue.show()
    bus = EventBus()
    bridge = EventBridge(bus)
    bridge.transfer_changed.connect(queue.on_transfer_changed)
    feed = ChangeFeed(desk_bench_url, bus, resync_interval=3600)
    feed.start()
    assert feed.wait_connected(10)
    queue.reload()
    spin_until(loop, lambda: queue.model.rowCount() > 0)
    with SandboxPortal() as portal:
        portal.add_site(SITE, "State University Athletics", max_attempts=3)
        portal.set_faults(SITE, latency_ms=LATENCY_MS)
        transfers = TransferService(engine, "bench")
        email, password = f"bench-{secrets.token_hex(3)}@market.test", secrets.token_urlsafe(12)
        portal.add_account(SITE, email, password, "Bench Desk")
        account = transfers.add_account("paciolan", portal.site_url(SITE), email)
        credential_store.set(portal_key(str(account.id)), password)
        rows = _pending_rows(portal, transfers, account, email, engine)
        settings = load_settings(tmp_path / "none.toml",
                                 environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
        control = DeskRunControl(settings, desk_bench_url, bus, "desk:bench", credential_store)
        panel = RunPanel(control, executor, TaskGroup())
        panel.resize(1000, 640)
        qtbot.addWidget(panel)
        panel.follow(bridge)
        try:
            control._ensure_started()  # browser launch is not part of the runs being measured
            panel.show()
            loop.run_until_complete(panel.run_batch(rows[:1]))  # warm-up: signs in, unmeasured
            load_before = _loadavg()
            phases = _measure_phases(loop, panel, rows[1:])
            load_after = _loadavg()
        finally:
            control.close()
            feed.stop()
            bridge.close()
            executor.shutdown(wait=True)
            engine.dispose()
            panel.shutdown()
    shown, hidden = phases["shown"], phases["hidden"]
    assert [r.outcome.value for r in shown.results + hidden.results] == ["accepted"] * 2 * RUNS
    assert hidden.frames_shown == 0 and hidden.frames_received > 0, "hidden: nothing decoded"
    assert shown.frames_shown > 0
    figures = {
        "rows": DESK_ROWS, "runs_per_phase": RUNS, "portal_latency_ms": LATENCY_MS,
        "run_seconds": round(shown.seconds, 1),
        "frames_received": shown.frames_received,
        "frames_shown": shown.frames_shown,
        "frames_per_second_received": round(shown.frames_received / shown.seconds, 1),
        "frames_per_second_shown": round(shown.frames_shown / shown.seconds, 1),
        "fps_cap": FPS_CAP,
        "probe_ticks": len(shown.lateness),
        **shown.stall_figures("stall"),
        **hidden.stall_figures("hidden_panel_stall"),
        "hidden_panel_frames_received": hidden.frames_received,
        "goal_p99_ms": 16, "goal_max_ms": 50,
        "loadavg_1m_before": load_before, "loadavg_1m_after": load_after,
    }
    report("ui_stall", figures)
    # the throttle caps what the GUI is sent (each run's screencast sends its first at once)
    assert shown.frames_received <= FPS_CAP * shown.seconds + RUNS


@dataclass
class Phase:
    """What one visibility of the panel cost the GUI loop over its runs."""

    lateness: list[float] = field(default_factory=list)
    seconds: float = 0.0
    frames_received: int = 0
    frames_shown: int = 0
    results: list[Any] = field(default_factory=list)

    def stall_figures(self, prefix: str) -> dict[str, float]:
        """p50 / p99 / max lateness of the 10 ms probe, in ms."""
        return {f"{prefix}_p50_ms": round(percentile(self.lateness, 50), 1),
                f"{prefix}_p99_ms": round(percentile(self.lateness, 99), 1),
                f"{prefix}_max_ms": round(max(self.lateness), 1)}


def _measure_phases(loop: qasync.QEventLoop, panel: RunPanel, rows: list[Any]
                    ) -> dict[str, Phase]:
    """Alternate runs with the panel hidden (frames dropped undecoded) and shown (painted),
    so both phases see the same machine load; a 10 ms probe times the GUI loop throughout."""
    phases = {"hidden": Phase(), "shown": Phase()}
    clock = QElapsedTimer()
    probe = QTimer(interval=10)
    current: list[Phase | None] = [None]
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        if current[0] is not None:
            current[0].lateness.append(max(0.0, now - last[0] - 10))
        last[0] = now

    probe.timeout.connect(tick)
    clock.start()
    probe.start()
    for index, row in enumerate(rows):
        phase = phases["hidden" if index % 2 == 0 else "shown"]
        panel.setVisible(phase is phases["shown"])
        received, shown = panel.frames_received, panel.frames_shown
        last[0], current[0] = clock.elapsed(), phase
        started = time.perf_counter()
        phase.results += loop.run_until_complete(panel.run_batch([row]))
        phase.seconds += time.perf_counter() - started
        current[0] = None
        phase.frames_received += panel.frames_received - received
        phase.frames_shown += panel.frames_shown - shown
    probe.stop()
    return phases


def _run_queue_ms() -> float:
    """How long this thread has waited for a CPU so far (Linux schedstat), in ms."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


class _Probe:
    """A 10 ms QTimer: how late the GUI loop serves it, per labelled stretch of time.

    Each lateness is also reported without the time the GUI thread sat in the CPU run queue
    (``*_stall_unqueued_*``): on a shared machine that part is the other processes' load; what
    remains is the desk's own doing (work on the GUI thread, waits for the GIL)."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.lateness: dict[str, list[float]] = {}
        self.unqueued: dict[str, list[float]] = {}
        self.label: str | None = None
        self._last = 0
        self._queued = 0.0

    def _tick(self) -> None:
        now, queued = self.clock.elapsed(), _run_queue_ms()
        if self.label is not None:
            late = max(0.0, now - self._last - 10)
            self.lateness.setdefault(self.label, []).append(late)
            self.unqueued.setdefault(self.label, []).append(
                max(0.0, late - (queued - self._queued)))
        self._last, self._queued = now, queued

    def start(self, label: str) -> None:
        self.label, self._last, self._queued = label, self.clock.elapsed(), _run_queue_ms()
        if not self.timer.isActive():
            self.clock.start()
            self._last = 0
            self.timer.start()

    def figures(self, label: str) -> dict[str, float]:
        values = self.lateness.get(label) or [0.0]
        unqueued = self.unqueued.get(label) or [0.0]
        return {f"{label}_stall_p99_ms": round(percentile(values, 99), 1),
                f"{label}_stall_max_ms": round(max(values), 1), f"{label}_ticks": len(values),
                f"{label}_stall_unqueued_max_ms": round(max(unqueued), 1)}


def _full_page_png(height: int = 16000) -> bytes:
    """A tall, detailed screenshot-like PNG (what a full-page shot of a long page weighs)."""
    image = QImage(1280, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y in range(0, height, 18):
        painter.fillRect(0, y, 1280, 2, QColor((y * 7) % 255, (y * 3) % 255, (y * 5) % 255))
        painter.drawText(12, y + 14, f"Section {y // 18} row F seats 5-6 transfer accepted " * 3)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(data.data())


def _trace_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("trace.trace", '{"type":"context-options"}\n' * 20000)
    return out.getvalue()


def test_gui_stall_opening_evidence_and_closing_the_window(
    qtbot: Any, loop: qasync.QEventLoop, desk_bench_url: str, tmp_path: Path,
    credential_store: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Opening a full-page screenshot and a trace, then closing a desk whose browser runs: the
    10 ms probe's lateness in each stretch (goal: never > 100 ms)."""
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: True))
    engine = make_engine(desk_bench_url)
    backend = ServiceBackend(engine, "bench")
    transfer_id = int(QueueService(engine).list_page(limit=1).rows[0].id)
    store = EvidenceStore(engine, "bench", max_bytes=50 * 1024 * 1024)
    shot = store.put("screenshot", "full-page.png", _full_page_png(), transfer_id)
    store.put("trace", "run-trace.zip", _trace_zip(), transfer_id)
    bus = EventBus()
    settings = load_settings(tmp_path / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": str(tmp_path)})
    control = DeskRunControl(settings, desk_bench_url, bus, "desk:bench", credential_store)
    window = MainWindow(settings, backend=backend, bus=bus, run_control=control)
    qtbot.addWidget(window)
    feed = ChangeFeed(desk_bench_url, bus, resync_interval=3600)
    feed.start()
    window._closers += [control.close, feed.stop, backend.stop, engine.dispose]  # as connected
    window.show()
    loop.run_until_complete(window.start())
    spin_until(loop, lambda: not window.tasks._tasks, timeout=60)  # queue, notices, escrow
    control._ensure_started()  # a running browser: closing must stop it
    control.browser_service.call(control.browser_service.browser(), timeout=120)
    probe = _Probe()

    probe.start("idle")  # baseline: what the machine's load alone costs the probe
    spin_until(loop, lambda: len(probe.lateness.get("idle", ())) >= 200, timeout=60)
    started = time.perf_counter()
    probe.start("show_detail")
    loop.run_until_complete(window.detail.load(transfer_id))
    probe.start("thumbnail")  # the full-page shot's thumbnail, spawned by load()
    thumbnail_started = time.perf_counter()
    spin_until(loop, lambda: not window.tasks._tasks, timeout=60)
    thumbnail_seconds = time.perf_counter() - thumbnail_started  # incl. starting the helper
    evidence = {e.kind: e for e in window.detail._detail.evidence}
    probe.start("export")
    loop.run_until_complete(window.detail.export_evidence(evidence["screenshot"]))
    probe.start("open_trace")
    loop.run_until_complete(window.detail.open_trace(evidence["trace"]))
    open_seconds = time.perf_counter() - started

    probe.start("close")
    started = time.perf_counter()
    window.close()
    hidden_after = time.perf_counter() - started
    assert window.shutdown is not None
    spin_until(loop, window.shutdown.finished.is_set, timeout=120)
    spin_until(loop, lambda: not window.isVisible())
    close_seconds = time.perf_counter() - started
    probe.timer.stop()
    window.executor.shutdown(wait=True)

    assert control.browser_service is None or not control.browser_service.running
    figures = {
        "rows": DESK_ROWS, "screenshot_bytes": shot.size,
        **probe.figures("idle"), "open_evidence_seconds": round(open_seconds, 2),
        **probe.figures("show_detail"), **probe.figures("thumbnail"),
        "thumbnail_seconds": round(thumbnail_seconds, 2),
        **probe.figures("export"), **probe.figures("open_trace"),
        "close_hidden_after_ms": round(hidden_after * 1000, 1),
        "close_seconds": round(close_seconds, 2), **probe.figures("close"),
        "goal_max_ms": 100, "loadavg_1m": _loadavg(),
    }
    report("ui_stall_close_evidence", figures)
