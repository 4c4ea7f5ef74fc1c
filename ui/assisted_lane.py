"""The assisted lane: transfers a person accepts in their OWN browser (blocked or assisted sites).

The desk's part of one transfer: **O** opens the accept link in the staff member's default
browser (the OS's, never the automated one: TransferDesk does not evade bot detection), the
person accepts there and copies a screenshot of My Account, **Ctrl+V** pastes it (or drop an
image file), **V** records the manual decision with that image as evidence; the next transfer
comes up. A lease (``lane_claims``) keeps two desks from the same transfer. The opener only
ever receives the accept link (never a password); tests inject their own. Owns the lane's view
and its list model over the core's :class:`~app.domain.records.TransferFull` rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QBuffer,
    QIODevice,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QVBoxLayout, QWidget

from app.desk.api import DeskBackend
from app.domain.records import TransferFull
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup

Opener = Callable[[str], object]
Index = QModelIndex | QPersistentModelIndex


def default_opener(url: str) -> object:
    """Open ``url`` in the OS's default browser."""
    return QDesktopServices.openUrl(QUrl(url))


class LaneModel(QAbstractListModel):
    """The lane's transfers (``TransferFull``), by deadline."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TransferFull] = []

    def set_rows(self, rows: Sequence[TransferFull]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()].row
        due = f"{row.due_at:%a %d %b %H:%M}" if row.due_at else "no deadline"
        return f"{due} · {row.order_ref} · {row.event_name}"


def facts_html(full: TransferFull) -> str:
    """What the person checks on the portal: event, section, row, seats, seller, deadline."""
    row = full.row
    due = f"{row.due_at:%Y-%m-%d %H:%M %Z}" if row.due_at else "none"
    return (f"<b>{row.event_name}</b><br>Section <b>{row.section}</b> · Row <b>{row.row}</b> · "
            f"Seats <b>{', '.join(row.seats)}</b><br>Seller {row.seller_name} "
            f"({row.seller_email})<br>Deadline {due}<br>Order {row.order_ref}")


class AssistedLaneView(QWidget):
    """Queue on the left; the current transfer's facts and the paste target on the right."""

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup, desk: str,
                 opener: Opener = default_opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assisted lane")
        self.setAcceptDrops(True)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self.desk, self.opener = desk, opener
        self.current: TransferFull | None = None
        self.screenshot: bytes | None = None
        self.model = LaneModel()
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("transfers needing a person")
        self.facts = QLabel(wordWrap=True)
        self.facts.setAccessibleName("facts to check")
        self.paste_target = QLabel("Accept in your own browser (O), copy a screenshot of My "
                                   "Account, press Ctrl+V (or drop the image), then V to verify.")
        self.paste_target.setWordWrap(True)
        self.paste_target.setMinimumSize(320, 200)
        self.paste_target.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paste_target.setAccessibleName("screenshot paste target")
        self.status = QLabel()
        right = QVBoxLayout()
        for widget in (self.facts, self.paste_target, self.status):
            right.addWidget(widget)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(right, 2)
        self.shortcuts = {
            "O": QShortcut(QKeySequence("O"), self, self.open_link),
            "Paste": QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self, self.paste),
            "V": QShortcut(QKeySequence("V"), self, lambda: tasks.spawn(self.verify())),
        }

    async def reload(self) -> None:
        """Take the next transfer (keeping our own) and list the lane."""
        self.current = await self._executor.call(self._backend.lane_take_next, self.desk)
        self.model.set_rows(await self._executor.call(self._backend.lane_queue, self.desk))
        self.screenshot = None
        self.paste_target.setPixmap(QPixmap())
        if self.current is None:
            self.facts.setText("Nothing needs a person right now.")
        else:
            self.facts.setText(facts_html(self.current))
            ids = [r.row.id for r in self.model.rows]
            if self.current.row.id in ids:
                self.list.setCurrentIndex(self.model.index(ids.index(self.current.row.id)))

    def open_link(self) -> None:
        """Open the current transfer's accept link in the default browser (only the link)."""
        if self.current is None or not self.current.accept_url:
            self.status.setText("No accept link: open the site's pending transfers yourself.")
            return
        self.opener(self.current.accept_url)
        self.status.setText("Opened in your browser: accept there, then paste a screenshot.")

    def paste(self) -> None:
        """Take the clipboard's image as the evidence."""
        self.set_image(QGuiApplication.clipboard().image())

    def set_image(self, image: QImage) -> bool:
        """Use ``image`` as the screenshot (encoded as PNG); False for no image."""
        if image.isNull():
            self.status.setText("The clipboard holds no image: copy a screenshot first.")
            return False
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes
        self.screenshot = bytes(buffer.data().data())
        self.paste_target.setPixmap(QPixmap.fromImage(image).scaled(
            self.paste_target.size(), Qt.AspectRatioMode.KeepAspectRatio))
        self.status.setText("Screenshot ready: press V to record the transfer as verified.")
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasImage() or event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        data = event.mimeData()
        image = QImage(data.imageData()) if data.hasImage() else QImage()
        if image.isNull() and data.hasUrls():
            image = QImage(data.urls()[0].toLocalFile())
        self.set_image(image)

    async def verify(self) -> bool:
        """Record the manual decision with the pasted screenshot; the next transfer comes up."""
        if self.current is None:
            return False
        if self.screenshot is None:
            self.status.setText("Paste a screenshot of My Account first (Ctrl+V).")
            return False
        row = self.current.row
        try:
            await self._executor.call(self._backend.lane_verify, row.id, self.desk, row.version,
                                      self.screenshot)
        except KnownError as exc:
            self.status.setText(f"Not recorded: {exc}")
            return False
        await self.reload()
        self.status.setText(f"{row.order_ref} verified with your screenshot.")
        return True
