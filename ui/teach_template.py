"""Teach a school's notice layout: open a stored notice as a mail client shows it, select values,
assign them to fields, preview what the template would read, save it and re-run the backlog.

Every database call runs on the service executor; the GUI thread only renders. The notice is
shown in a QTextBrowser that never fetches remote content (no images, no trackers) and never
follows links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.mail.teach import TEACHABLE_FIELDS, Mark, TaughtTemplate, TemplateError, derive_template
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.widgets import named

FIELD_LABELS = {
    "event_name": "Event", "event_starts_at": "Date / time", "venue": "Venue",
    "section": "Section", "row": "Row", "seats": "Seats", "quantity": "Quantity",
    "sender": "Sender", "transfer_ref": "Transfer reference", "expires_at": "Accept by",
}


class _LocalOnlyBrowser(QTextBrowser):
    """A QTextBrowser that loads no resource at all (remote images stay blank)."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:  # noqa: N802 (Qt override)
        return None


@dataclass
class TemplateTeacher:
    """The calls the teach panel makes (all blocking; run them on the executor)."""

    engine: Any
    actor_name: str
    role: str | None = None

    @classmethod
    def from_backend(cls, backend: Any) -> TemplateTeacher:
        """Built from the desk's service backend (its engine, name and role)."""
        return cls(backend.engine, backend.actor_name, getattr(backend, "role", None))

    def _service(self) -> Any:
        from app.mail.template_store import TemplateService

        return TemplateService(self.engine, self.actor_name, self.role)

    def sample(self, mail_message_id: int) -> Any:
        """The stored notice and its domain's current template rules."""
        service = self._service()
        sample = service.sample(mail_message_id)
        current = {t.domain: t for t in service.enabled()}.get(sample.domain)
        return sample, dict(current.rules) if current else {}

    def preview(self, template: TaughtTemplate) -> Any:
        """What the template would read among the domain's stored notices."""
        return self._service().preview(template)

    def save_and_rerun(self, template: TaughtTemplate) -> tuple[Any, int, int]:
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
        self._sample: Any = None
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
        self.assigned = named(QListWidget(), "Assigned values")
        self.preview_button = named(QPushButton("Preview"), "Preview", enabled=False)
        self.preview_button.clicked.connect(lambda: self._tasks.spawn(self.preview()))
        self.save_button = named(QPushButton("Save template"), "Save template", enabled=False)
        self.save_button.clicked.connect(lambda: self._tasks.spawn(self.save()))
        self.preview_label = QLabel(wordWrap=True)
        self.changes = named(QListWidget(), "What it would change")
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
        self._sample, self._base = await self._executor.call(self._teacher.sample,
                                                             mail_message_id)
        if self._sample.html:
            self.browser.setHtml(self._sample.html)
        else:
            self.browser.setPlainText(self._sample.text)
        self._marks.clear()
        self.assigned.clear()
        self.status.setText(f"{self._sample.subject} — from {self._sample.from_addr} "
                            f"(template for {self._sample.domain})")

    def assign_selection(self) -> None:
        """Assign the selected text to the chosen field (a second time replaces it)."""
        cursor = self.browser.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        name = str(self.field.currentData())
        if start == end:
            self.status.setText("Select the value in the notice first.")
            return
        self._marks = [m for m in self._marks if m.field != name] + [Mark(name, start, end)]
        self.assigned.clear()
        text = self._plain()
        for mark in self._marks:
            self.assigned.addItem(f"{FIELD_LABELS[mark.field]}: {text[mark.start:mark.end]}")
        self.preview_button.setEnabled(True)
        self.save_button.setEnabled(False)

    def _plain(self) -> str:
        return self.browser.toPlainText().replace("\u2029", "\n").replace("\xa0", " ")

    def _derive(self) -> TaughtTemplate | None:
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
        self.changes.clear()
        for row_id, name, before, after in result.changes[:200]:
            self.changes.addItem(f"#{row_id} {name}: {before or '—'} → {after or '—'}")
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
