"""Manual override: verify or reject a transfer by hand, with a note and evidence files.

Opened with ``.open()`` (window-modal, never a nested ``exec()``). Files come from drag-and-drop,
the file picker or a pasted clipboard image; each is read and validated off the GUI thread and
shows its own error inline. Nothing is written until "Record decision" succeeds in one call.
Owns the dialog; the decision comes back as the core's :class:`~app.domain.records.TransferFull`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.desk.api import DeskBackend, EvidenceFile
from app.domain.records import TransferFull, TransferRow
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.thumbnails import png_bytes, raw_rgba, thumbnail
from ui.widgets import named

FILE_ROLE = Qt.ItemDataRole.UserRole
ERROR_ROLE = Qt.ItemDataRole.UserRole + 1


def guess_content_type(name: str) -> str:
    """Content type from the file name (the evidence store re-checks the bytes)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class OverrideDialog(QDialog):
    """Verify/reject with evidence.

    Signals:
        decided(object): the service's result after the decision was recorded.
    """

    decided = Signal(object)

    def __init__(
        self, row: TransferRow, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._row, self._backend, self._executor, self._tasks = row, backend, executor, tasks
        self.setWindowTitle(f"Manual decision — {row.order_ref}")
        self.setAcceptDrops(True)
        self.resize(560, 520)
        self.verify_radio = QRadioButton("Verified: the tickets are in our account")
        self.reject_radio = QRadioButton("Rejected: the transfer will not complete")
        self._verdict = QButtonGroup(self)
        for button in (self.verify_radio, self.reject_radio):
            self._verdict.addButton(button)
            button.toggled.connect(self._update_state)
        self.note_edit = QPlainTextEdit(placeholderText="Why? (required, goes to the audit log)")
        self.note_edit.textChanged.connect(self._update_state)
        self.files = named(QListWidget(), "Evidence files")
        self.files.setIconSize(QSize(64, 48))
        add_button = QPushButton("Add files…")
        add_button.clicked.connect(self.pick_files)
        paste_button = QPushButton("Paste image")
        paste_button.clicked.connect(self.paste_clipboard)
        remove_button = QPushButton("Remove")
        remove_button.clicked.connect(self._remove_selected)
        QShortcut(QKeySequence.StandardKey.Paste, self.files, self.paste_clipboard)
        self.progress = named(QProgressBar(), "upload progress", visible=False)
        self.error_label = named(QLabel(wordWrap=True), "errorLabel")
        self.error_label.setStyleSheet("color: #d32f2f")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.submit_button = self.buttons.addButton(
            "Record decision", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        file_buttons = QHBoxLayout()
        for file_button in (add_button, paste_button, remove_button):
            file_buttons.addWidget(file_button)
        file_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{row.order_ref}</b> — {row.event_name}"))
        layout.addWidget(self.verify_radio)
        layout.addWidget(self.reject_radio)
        layout.addWidget(QLabel("Note"))
        layout.addWidget(self.note_edit, 1)
        layout.addWidget(QLabel("Evidence (drop files here, pick them, or paste a screenshot)"))
        layout.addWidget(self.files, 1)
        layout.addLayout(file_buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._update_state()

    # --- adding files ---------------------------------------------------------------------
    def add_paths(self, paths: list[Path]) -> None:
        """Read and validate files off the GUI thread, then list them."""
        for path in paths:
            self._tasks.spawn(self._add_path(path))

    async def add_path(self, path: Path) -> None:
        """Add one file (awaitable)."""
        await self._add_path(path)

    async def _add_path(self, path: Path) -> None:
        def read() -> tuple[EvidenceFile | None, str | None, QImage | None]:
            try:
                item = EvidenceFile.from_path(path, guess_content_type(path.name))
            except OSError as exc:
                return None, f"cannot read: {exc.strerror or exc}", None
            error = self._backend.validate_evidence(item)
            return item, error, None if error else _preview(item)

        item, error, preview = await self._executor.call(read)
        self.add_file(item or EvidenceFile(path.name, "", b""), error, preview)

    def add_file(self, item: EvidenceFile, error: str | None,
                 preview: QImage | None = None) -> None:
        """List one file with its preview (decoded off the GUI thread), or its error inline."""
        icon = QIcon(QPixmap.fromImage(preview)) if preview is not None else QIcon()
        if icon.isNull():
            standard = (QStyle.StandardPixmap.SP_MessageBoxCritical if error
                        else QStyle.StandardPixmap.SP_FileIcon)
            icon = self.style().standardIcon(standard)
        size = f"{len(item.content) / 1024:,.0f} KB"
        text = f"{item.filename} — {error}" if error else f"{item.filename}  ({size})"
        entry = QListWidgetItem(icon, text)
        entry.setData(FILE_ROLE, item)
        entry.setData(ERROR_ROLE, error)
        if error:
            entry.setForeground(Qt.GlobalColor.red)
        self.files.addItem(entry)
        self._update_state()

    def pick_files(self) -> None:
        """Open a non-blocking file picker."""
        picker = QFileDialog(self, "Add evidence")
        picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
        picker.setNameFilter("Evidence (*.png *.jpg *.jpeg *.webp *.pdf *.eml *.txt);;All (*)")
        picker.filesSelected.connect(lambda names: self.add_paths([Path(n) for n in names]))
        picker.open()

    def paste_clipboard(self) -> None:
        """Attach an image from the clipboard as a PNG (encoded off the GUI thread)."""
        from PySide6.QtWidgets import QApplication

        clipboard = QApplication.clipboard()
        image: QImage = clipboard.image()
        mime = clipboard.mimeData()
        if image.isNull() and mime is not None and mime.hasUrls():
            self.add_paths([Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()])
            return
        if image.isNull():
            self.error_label.setText("The clipboard holds no image.")
            return
        pixels = raw_rgba(image)  # a copy; the PNG encoding runs off the GUI thread
        self._tasks.spawn(self._add_image(pixels, f"pasted-{self.files.count() + 1}.png"))

    async def _add_image(self, pixels: tuple[bytes, int, int], name: str) -> None:
        """Encode a pasted image as PNG off the GUI thread, then list it."""
        def encode() -> tuple[EvidenceFile, str | None, QImage | None]:
            item = EvidenceFile(name, "image/png", png_bytes(*pixels))
            error = self._backend.validate_evidence(item)
            return item, error, None if error else _preview(item)

        self.add_file(*await self._executor.call(encode))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_paths(paths)
        event.acceptProposedAction()

    def _remove_selected(self) -> None:
        for entry in self.files.selectedItems():
            self.files.takeItem(self.files.row(entry))
        self._update_state()

    # --- submitting -----------------------------------------------------------------------
    def valid_files(self) -> list[EvidenceFile]:
        """Files that passed validation."""
        return [
            self.files.item(i).data(FILE_ROLE) for i in range(self.files.count())
            if not self.files.item(i).data(ERROR_ROLE)
        ]

    def problems(self) -> list[str]:
        """What still stops the decision from being recorded."""
        problems = []
        if self._verdict.checkedButton() is None:
            problems.append("choose verified or rejected")
        if not self.note_edit.toPlainText().strip():
            problems.append("write a note")
        if not self.valid_files():
            problems.append("attach at least one valid evidence file")
        if any(self.files.item(i).data(ERROR_ROLE) for i in range(self.files.count())):
            problems.append("remove the files marked in red")
        return problems

    def _update_state(self) -> None:
        problems = self.problems()
        self.submit_button.setEnabled(not problems and not self.progress.isVisible())
        self.submit_button.setToolTip("; ".join(problems))

    def submit(self) -> None:
        """Record the decision (button slot)."""
        if not self.problems():
            self._tasks.spawn(self.record(), name=f"override-{self._row.id}")

    async def record(self) -> TransferFull | None:
        """Send the decision with its files; keep the dialog open with the error on failure."""
        files = self.valid_files()
        total = sum(len(f.content) for f in files)
        self.progress.setRange(0, 0)
        self.progress.setFormat(f"Uploading {len(files)} file(s), {total / 1024:,.0f} KB…")
        self.progress.setTextVisible(True)
        self.progress.setVisible(True)
        self.error_label.clear()
        self._update_state()
        try:
            result = await self._executor.call(
                self._backend.decide, self._row.id, self._row.version,
                self.verify_radio.isChecked(), self.note_edit.toPlainText().strip(), files,
            )
        except KnownError as exc:  # shown in place; the input is kept for a retry
            self.error_label.setText(f"Not recorded: {exc}")
            return None
        finally:
            self.progress.setVisible(False)
            self._update_state()
        self.decided.emit(result)
        self.accept()
        return result


def _preview(item: EvidenceFile) -> QImage | None:
    """The list's thumbnail of an image file (worker thread; decoded in the helper process)."""
    if not item.content_type.startswith("image/"):
        return None
    return thumbnail(item.content, 64, 48)
