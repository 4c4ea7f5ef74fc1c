"""The detail pane: facts, deadlines, timeline and evidence of the current transfer.

Evidence thumbnails load lazily: fetched on a worker thread, decoded in the image helper
process (:mod:`ui.thumbnails`), so even a full-page screenshot never holds the GUI's GIL;
double-click opens an item in the system viewer; "Open trace" serves Playwright's trace viewer.
Owns the pane; it renders the core's :class:`~app.domain.records.TransferDetail` as given.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend, now_utc
from app.domain.records import EvidenceInfo, TransferDetail, TransferRow
from app.domain.states import EscrowStatus
from app.timeline_words import ESCROW_WORDS, OUTCOME_PHRASES, money, seat_phrase, who_ran
from automation.browser.trace_viewer import TraceViewerServer
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.due_display import due_colour, due_level, format_due
from ui.labels import STATUS_LABELS
from ui.theme import standard_icon
from ui.thumbnails import images, thumbnail
from ui.widgets import named

EVIDENCE_ID_ROLE = Qt.ItemDataRole.UserRole
THUMB = QSize(96, 72)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else "—"


#: What each timeline kind is called (the icon's tooltip).
TIMELINE_KINDS = {"audit": "Change", "run": "Browser run", "email": "Email",
                  "evidence": "Evidence"}
#: How a transfer was decided (``transfers.method``), in words.
METHOD_WORDS = {"auto": "by automation", "manual": "by hand", "assisted": "in the assisted lane"}


def _escrow(status: EscrowStatus) -> str:
    if status is EscrowStatus.NONE:
        return "no hold placed"
    if status is EscrowStatus.HELD:
        return "the buyer's money is held"
    return f"hold {ESCROW_WORDS[status.value]}"


def transfer_facts(detail: TransferDetail, account_names: dict[int | None, str]
                   ) -> list[tuple[str, str]]:
    """The Facts box as (label, plain text) pairs: words only, never None or an enum name."""
    full = detail.transfer
    t = full.row
    seller = " ".join(p for p in (t.seller_name, f"<{t.seller_email}>" if t.seller_email else "")
                      if p)
    held = "—"
    if t.claimed_by:
        until = f" until {t.lease_until.astimezone():%H:%M}" if t.lease_until else ""
        held = f"{who_ran(t.claimed_by)}{until}"
    decision = "—"
    if full.verified_at is not None or full.decision_note:
        how = METHOD_WORDS.get(full.method or "", "")
        by = f" by {full.verified_by}" if full.verified_by and how != "by automation" else ""
        when = f" on {_when(full.verified_at)}" if full.verified_at else ""
        note = f": {full.decision_note}" if full.decision_note else ""
        decision = f"{STATUS_LABELS[t.status].capitalize()} {how}{by}{when}{note}".replace(
            "  ", " ")
    return [
        ("Venue", t.venue or "—"),
        ("Event starts", _when(t.event_starts_at)),
        ("Seats", seat_phrase(t.section, t.row, t.seats) or "—"),
        ("Seller", seller or "—"),
        ("Account", account_names.get(t.account_id, "—") if t.account_id is not None
         else "none assigned"),
        ("Amount", money(t.amount, t.currency or "usd") if t.amount is not None else "—"),
        ("Escrow", _escrow(t.escrow_status)),
        ("Attempts", str(t.attempts)),
        ("Held by", held),
        ("Last outcome", OUTCOME_PHRASES[t.last_outcome] if t.last_outcome else "—"),
        ("Decision", decision),
    ]


class DetailPane(QWidget):
    """Shows one transfer's detail (:meth:`show_transfer`).

    Signals:
        trace_opened(str): the trace viewer's URL (on 127.0.0.1) was opened in the browser.
    """

    trace_opened = Signal(str)

    def __init__(
        self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._detail: TransferDetail | None = None
        self.account_names: dict[int | None, str] = {}
        self._temp: Path | None = None  # made on first export, removed by shutdown()
        self._viewer: TraceViewerServer | None = None  # started on the first Open trace
        self.title = named(QLabel("Select a transfer"), "detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts_box = QGroupBox("Facts")
        self.facts = QFormLayout(facts_box)
        deadlines_box = QGroupBox("Deadlines")
        self.deadlines = QFormLayout(deadlines_box)
        self.timeline = named(QTreeWidget(), "Timeline")
        self.timeline.setHeaderLabels(["When", "What happened"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setColumnWidth(0, 150)
        self.timeline.setWordWrap(True)
        self.timeline.currentItemChanged.connect(self._timeline_selected)
        self.open_trace_button = named(QPushButton("Open trace"), "Open trace", enabled=False)
        self.open_trace_button.clicked.connect(self._open_selected_trace)
        self.evidence = named(QListWidget(), "Evidence")
        self.evidence.setViewMode(QListWidget.ViewMode.IconMode)
        self.evidence.setIconSize(THUMB)
        self.evidence.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.evidence.setMaximumHeight(130)
        self.evidence.itemActivated.connect(self._open_evidence)

        timeline_head = QHBoxLayout()
        timeline_head.addWidget(QLabel("<b>Timeline</b>"))
        timeline_head.addStretch(1)
        timeline_head.addWidget(self.open_trace_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        top = QHBoxLayout()
        top.addWidget(facts_box, 3)
        top.addWidget(deadlines_box, 2)
        layout.addLayout(top)
        layout.addLayout(timeline_head)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(QLabel("<b>Evidence</b> (double-click to open)"))
        layout.addWidget(self.evidence)

    @property
    def detail(self) -> TransferDetail | None:
        """The detail currently shown (or None)."""
        return self._detail

    def show_transfer(self, row: TransferRow | None) -> None:
        """Load and show the detail of ``row`` (a queue row), or clear the pane."""
        if row is None:
            self._tasks.cancel("detail-thumbnails")
            self._render(None)
            return
        self._tasks.spawn(self._load(row.id), name="detail-load")

    def refresh(self) -> None:
        """Reload the transfer shown (after a change to it)."""
        if self._detail is not None:
            self._tasks.spawn(self._load(self._detail.transfer.row.id), name="detail-load")

    async def load(self, transfer_id: int) -> None:
        """Load a transfer's detail and render it (awaitable, for tests and callers)."""
        await self._load(transfer_id)

    async def _load(self, transfer_id: int) -> None:
        detail = await self._executor.call(self._backend.detail, transfer_id)
        self._render(detail)
        image_ids = [e.id for e in detail.evidence if e.content_type.startswith("image/")]
        if image_ids:  # one at a time, dropped when another transfer is shown
            self._tasks.spawn(self._load_thumbnails(image_ids), name="detail-thumbnails")
        else:
            self._tasks.cancel("detail-thumbnails")

    def _render(self, detail: TransferDetail | None) -> None:
        self._detail = detail
        for form in (self.facts, self.deadlines):
            while form.rowCount():
                form.removeRow(0)
        self.timeline.clear()
        self.evidence.clear()
        self.open_trace_button.setEnabled(False)
        if detail is None:
            self.title.setText("Select a transfer")
            return
        t = detail.transfer.row
        status = STATUS_LABELS[t.status]
        self.title.setText(f"<h3>{escape(t.order_ref)} — {escape(t.event_name)}"
                           f"</h3>Status: <b>{status}</b>")
        for label, value in transfer_facts(detail, self.account_names):
            widget = QLabel(value)
            widget.setTextFormat(Qt.TextFormat.PlainText)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(label, widget)
        now = now_utc()
        for label, due in (
            ("Accept by", t.accept_by), ("Event start", t.event_starts_at),
            ("Hold expires", t.hold_expires_at),
        ):
            text = f"{_when(due)}  ({format_due(due, now)})" if due is not None else "not set"
            widget = QLabel(text)
            colour = due_colour(due_level(due, now))
            if colour is not None:
                widget.setStyleSheet(f"color: {colour.name()}; font-weight: bold")
            self.deadlines.addRow(label, widget)
        traces = {run.id: run.trace_evidence_id for run in detail.runs}
        for entry in detail.timeline:
            item = QTreeWidgetItem([_when(entry.at), entry.summary])
            kind = TIMELINE_KINDS.get(entry.kind, "Recorded")
            item.setIcon(0, self._kind_icon(entry.kind))
            item.setToolTip(0, f"{kind} · {_when(entry.at)}")
            item.setToolTip(1, entry.summary)
            trace = traces.get(entry.ref_id) if entry.kind == "run" else None
            item.setData(0, EVIDENCE_ID_ROLE, trace)
            self.timeline.addTopLevelItem(item)
        for ev in detail.evidence:
            self._add_evidence_item(ev)

    def _kind_icon(self, kind: str) -> QIcon:
        pixmap = {"audit": QStyle.StandardPixmap.SP_FileDialogInfoView,
                  "run": QStyle.StandardPixmap.SP_MediaPlay,
                  "email": QStyle.StandardPixmap.SP_FileDialogContentsView,
                  "evidence": QStyle.StandardPixmap.SP_FileIcon,
                  }.get(kind, QStyle.StandardPixmap.SP_MessageBoxInformation)
        return standard_icon(self.style(), pixmap)

    def _add_evidence_item(self, ev: EvidenceInfo) -> None:
        style = self.style()
        content_type = ev.content_type
        if content_type == "application/pdf":
            icon = style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        elif ev.kind == "trace":
            icon = standard_icon(style, QStyle.StandardPixmap.SP_MediaPlay)
        elif ev.kind == "email":
            icon = style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
        else:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        item = QListWidgetItem(icon, ev.filename)
        item.setToolTip(f"{ev.kind} · {content_type} · {ev.size:,} bytes")
        item.setData(EVIDENCE_ID_ROLE, ev.id)
        item.setData(EVIDENCE_ID_ROLE + 1, ev)
        self.evidence.addItem(item)

    async def _load_thumbnails(self, evidence_ids: list[int]) -> None:
        """Fetch and decode the images' thumbnails one after another (each blob can be MBs:
        one in flight bounds the memory and the time the fetches hold the desk's GIL)."""
        for evidence_id in evidence_ids:
            content = await self._executor.call(self._backend.evidence_content, evidence_id)
            image = await self._executor.call(_thumbnail, content)  # in the helper process
            if image is None:
                continue
            pixmap = QPixmap.fromImage(image)
            for i in range(self.evidence.count()):
                item = self.evidence.item(i)
                if item.data(EVIDENCE_ID_ROLE) == evidence_id:
                    item.setIcon(QIcon(pixmap))

    async def export_evidence(self, ev: EvidenceInfo) -> Path:
        """Write one evidence item to a private temp file and return its path (off the GUI)."""
        content = await self._executor.call(self._backend.evidence_content, ev.id)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in ev.filename)
        if self._temp is None:
            self._temp = Path(await self._executor.call(
                tempfile.mkdtemp, prefix="transferdesk-evidence-"))
        path = self._temp / f"{ev.id}-{safe}"
        await self._executor.call(path.write_bytes, content)
        return path

    def _open_evidence(self, item: QListWidgetItem) -> None:
        ev = item.data(EVIDENCE_ID_ROLE + 1)
        if ev.kind == "trace":
            self._tasks.spawn(self.open_trace(ev))
        else:
            self._tasks.spawn(self._open_in_viewer(ev))

    async def _open_in_viewer(self, ev: EvidenceInfo) -> None:
        path = await self.export_evidence(ev)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _timeline_selected(
        self, item: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None = None
    ) -> None:
        self.open_trace_button.setEnabled(
            item is not None and item.data(0, EVIDENCE_ID_ROLE) is not None
        )

    def _open_selected_trace(self) -> None:
        item = self.timeline.currentItem()
        evidence_id = item.data(0, EVIDENCE_ID_ROLE) if item is not None else None
        if evidence_id is None or self._detail is None:
            return
        matches = [e for e in self._detail.evidence if e.id == evidence_id]
        if matches:
            self._tasks.spawn(self.open_trace(matches[0]))

    async def open_trace(self, ev: EvidenceInfo) -> str:
        """Serve a run's trace with Playwright's viewer on 127.0.0.1 and open it in the default
        browser (no Playwright install or downloaded browser needed); returns the URL."""
        path = await self.export_evidence(ev)
        if self._viewer is None:
            self._viewer = TraceViewerServer()
        url = await self._executor.call(self._viewer.url_for, path)
        QDesktopServices.openUrl(QUrl(url))
        self.trace_opened.emit(url)
        return url

    def shutdown(self) -> None:
        """Stop the trace viewer and the image helper, delete exported evidence files (off the
        GUI thread)."""
        viewer, self._viewer = self._viewer, None
        temp, self._temp = self._temp, None

        def clean_up() -> None:
            if viewer is not None:
                viewer.stop()
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)
            images.shutdown()

        threading.Thread(target=clean_up, name="detail-cleanup", daemon=False).start()


def _thumbnail(content: bytes) -> QImage | None:
    """Decode and scale an image in the helper process (blocks a worker thread, not the GUI)."""
    return thumbnail(content, THUMB.width(), THUMB.height())
