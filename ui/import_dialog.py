"""File > Import orders…: preview a CSV/JSON-lines file's answers, then import it.

Reading, checking and the dry run all happen on the service executor (never the GUI thread);
progress arrives through a Qt signal emitted from the worker thread (a queued connection).
The preview is exactly what the import will do: the dry run applies every row through the
same domain service and rolls back (docs/integration.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.intake.files import read_order_file
from app.intake.service import ImportRow, IntakeService
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.import_preview import ImportPreviewModel


class ImportOrdersDialog(QDialog):
    """Pick a file, preview its answers (dry run), then import.

    Signals:
        progress(int, int): rows done and total (emitted from the executor's thread).
        imported(int): rows answered by a real import.
    """

    progress = Signal(int, int)
    imported = Signal(int)

    def __init__(self, service: IntakeService, executor: ServiceExecutor, tasks: TaskGroup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import orders")
        self.resize(820, 520)
        self._service, self._executor, self._tasks = service, executor, tasks
        self._path: Path | None = None
        self.model = ImportPreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.summary = QLabel("Choose a CSV or JSON-lines file (columns: docs/integration.md).",
                              wordWrap=True)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(self._choose)
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(lambda: self._tasks.spawn(self.run_import()))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.choose_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        self.progress.connect(self._on_progress)

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import orders", "",
                                              "Orders (*.csv *.jsonl *.ndjson *.json)")
        if name:
            self._tasks.spawn(self.preview(Path(name)))

    async def preview(self, path: Path) -> None:
        """Read and dry-run ``path`` off the GUI thread; show every row's answer."""
        self._path = None
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.summary.setText(f"Checking {path.name}…")
        try:
            answers = await self._executor.call(self._answer, path, True)
        except Exception as exc:  # a whole-file problem: one line, nothing lost
            self.summary.setText(f"Cannot import {path.name}: {exc}")
            self.model.set_rows([])
            return
        finally:
            self.choose_button.setEnabled(True)
        self.model.set_rows(answers)
        self._path = path
        self.import_button.setEnabled(any(a.status != "rejected" for a in answers))
        self.summary.setText(f"Preview of {path.name}: {_tally(answers)}. Nothing is written "
                             "until you click Import.")

    async def run_import(self) -> None:
        """Import the previewed file for real."""
        if self._path is None:
            return
        path = self._path
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        try:
            answers = await self._executor.call(self._answer, path, False)
        except Exception as exc:
            self.summary.setText(f"Import of {path.name} failed: {exc}")
            return
        finally:
            self.choose_button.setEnabled(True)
        self.model.set_rows(answers)
        self._path = None
        self.summary.setText(f"Imported {path.name}: {_tally(answers)}.")
        self.imported.emit(len(answers))

    def _answer(self, path: Path, dry_run: bool) -> list[ImportRow]:
        """Runs on the executor: read, check and apply (or dry-run) every row."""
        rows = read_order_file(path)
        self.progress.emit(0, len(rows))
        return self._service.import_rows(rows, dry_run=dry_run, source=path.name,
                                         progress=self.progress.emit)

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)


def _tally(answers: Sequence[ImportRow]) -> str:
    counts = Counter(a.status for a in answers)
    return ", ".join(f"{counts[s]} {s}" for s in ("applied", "updated", "duplicate", "rejected"))
