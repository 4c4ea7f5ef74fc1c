"""Teach a school's notice layout: open a stored notice as a mail client shows it, select values,
assign them to fields, preview what the template would read, save it and re-run the backlog.

Every database call runs on the service executor; the GUI thread only renders. The notice is
shown in a QTextBrowser that never fetches remote content (no images, no trackers) and never
follows links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from app.mail.teach import TEACHABLE_FIELDS, Mark, TaughtTemplate, TemplateError, derive_template
from app.mail.template_store import Preview, SampleNotice, TemplateInfo, TemplateService
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.columns import ColumnTableModel
from ui.models.teach import AssignedValue, AssignedValuesModel, TemplateChangesModel
from ui.widgets import named

#: At most this many changes are listed after a preview.
CHANGES_SHOWN = 200

T = TypeVar("T")
FIELD_LABELS = {
    "event_name": "Event", "event_starts_at": "Date / time", "venue": "Venue",
    "section": "Section", "row": "Row", "seats": "Seats", "quantity": "Quantity",
    "sender": "Sender", "transfer_ref": "Transfer reference", "expires_at": "Accept by",
}


def _read_only_table(model: ColumnTableModel[T], name: str) -> QTableView:
    table = named(QTableView(), name)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    return table


class _LocalOnlyBrowser(QTextBrowser):
    """A QTextBrowser that loads no resource at all (remote images stay blank)."""

    def loadResource(self, kind: int, name: QUrl | str) -> object:  # noqa: N802 (Qt override)
        return None


@runtime_checkable
class EngineBackend(Protocol):
    """A desk backend built on a database engine (the service backend is one)."""

    engine: Engine
    actor_name: str
    role: str | None


@dataclass
class TemplateTeacher:
    """The calls the teach panel makes (all blocking; run them on the executor)."""

    engine: Engine
    actor_name: str
    role: str | None = None

    @classmethod
    def from_backend(cls, backend: object) -> TemplateTeacher:
        """Built from the desk's service backend (its engine, name and role).

        Raises:
            TypeError: ``backend`` does not work on a database engine.
        """
        if not isinstance(backend, EngineBackend):
            raise TypeError(f"teaching templates needs a database backend, not {backend!r}")
        return cls(backend.engine, backend.actor_name, backend.role)

    def _service(self) -> TemplateService:
        return TemplateService(self.engine, self.actor_name, self.role)

    def sample(self, mail_message_id: int) -> tuple[SampleNotice, dict[str, str]]:
        """The stored notice and its domain's current template rules."""
        service = self._service()
        sample = service.sample(mail_message_id)
        current = {t.domain: t for t in service.enabled()}.get(sample.domain)
        return sample, dict(current.rules) if current else {}

    def preview(self, template: TaughtTemplate) -> Preview:
        """What the template would read among the domain's stored notices."""
        return self._service().preview(template)

    def save_and_rerun(self, template: TaughtTemplate) -> tuple[TemplateInfo, int, int]:
        """Save the template, then re-run the domain's review backlog: (info, re-run, matched)."""
        from app.mail.ingest import MailIngest

        service = self._service()
        saved = service.save(template)
        ingest = MailIngest(self.engine, actor_name=self.actor_name)
        results = [ingest.reprocess(i) for i in service.backlog(template.domain)]
        return saved, len(results), sum(r.status == "matched" for r in results)


class TeachTemplatePanel(QWidget):
    """Select text in the notice, assign it to a field, preview, save."""

    def __init__(
        self, teacher: TemplateTeacher, executor: ServiceExecutor, tasks: TaskGroup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._teacher, self._executor, self._tasks = teacher, executor, tasks
        self._sample: SampleNotice | None = None
        self._base: dict[str, str] = {}
        self._marks: list[Mark] = []
        self.template: TaughtTemplate | None = None
        self.setWindowTitle("Teach a notice template")
        self.browser = named(_LocalOnlyBrowser(), "Notice")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.field = named(QComboBox(), "Field")
        for name in TEACHABLE_FIELDS:
            self.field.addItem(FIELD_LABELS[name], name)
        self.assign_button = named(QPushButton("Assign selection to field"), "Assign")
        self.assign_button.clicked.connect(self.assign_selection)
        self.assigned_model = AssignedValuesModel(self)
        self.assigned = _read_only_table(self.assigned_model, "Assigned values")
        self.preview_button = named(QPushButton("Preview"), "Preview", enabled=False)
        self.preview_button.clicked.connect(lambda: self._tasks.spawn(self.preview()))
        self.save_button = named(QPushButton("Save template"), "Save template", enabled=False)
        self.save_button.clicked.connect(lambda: self._tasks.spawn(self.save()))
        self.preview_label = QLabel(wordWrap=True)
        self.changes_model = TemplateChangesModel(self)
        self.changes = _read_only_table(self.changes_model, "What it would change")
        self.status = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Field:"))
        row.addWidget(self.field)
        row.addWidget(self.assign_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 3)
        layout.addLayout(row)
        layout.addWidget(self.assigned, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.status)

    async def open_notice(self, mail_message_id: int) -> None:
        """Load a stored notice and show it as a mail client would."""
        sample, self._base = await self._executor.call(self._teacher.sample, mail_message_id)
        self._sample = sample
        if sample.html:
            self.browser.setHtml(sample.html)
        else:
            self.browser.setPlainText(sample.text)
        self._marks.clear()
        self.assigned_model.set_rows([])
        self.status.setText(f"{sample.subject} — from {sample.from_addr} "
                            f"(template for {sample.domain})")

    def assign_selection(self) -> None:
        """Assign the selected text to the chosen field (a second time replaces it)."""
        cursor = self.browser.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        name = str(self.field.currentData())
        if start == end:
            self.status.setText("Select the value in the notice first.")
            return
        self._marks = [m for m in self._marks if m.field != name] + [Mark(name, start, end)]
        text = self._plain()
        self.assigned_model.set_rows([
            AssignedValue(m.field, FIELD_LABELS[m.field], text[m.start:m.end])
            for m in self._marks])
        self.preview_button.setEnabled(True)
        self.save_button.setEnabled(False)

    def _plain(self) -> str:
        return self.browser.toPlainText().replace("\u2029", "\n").replace("\xa0", " ")

    def _derive(self) -> TaughtTemplate | None:
        if self._sample is None:
            self.status.setText("Open a notice first.")
            return None
        try:
            return derive_template(self._plain(), self._marks, self._sample.domain,
                                   base=self._base)
        except TemplateError as exc:
            self.status.setText(str(exc))
            return None

    async def preview(self) -> None:
        """Show how many stored notices of the domain the template reads, and the changes."""
        template = self._derive()
        if template is None:
            return
        result = await self._executor.call(self._teacher.preview, template)
        self.template = template
        self.preview_label.setText(
            f"Would read {result.readable_after} of {result.stored} stored notice(s) from "
            f"{template.domain} (today {result.readable_before}).")
        self.changes_model.set_rows(result.changes[:CHANGES_SHOWN])
        self.save_button.setEnabled(True)

    async def save(self) -> None:
        """Store the previewed template and re-run the review backlog."""
        if self.template is None:
            return
        self.save_button.setEnabled(False)
        saved, rerun, matched = await self._executor.call(self._teacher.save_and_rerun,
                                                          self.template)
        self.status.setText(f"Saved {saved.domain} v{saved.version}; backlog re-run: "
                            f"{rerun} notice(s), {matched} matched.")
