"""Adds the marketplace boundary to the main window: File > Import orders… and Dead letters.

Both need the database engine of the real service backend; with another backend (tests'
fakes) nothing is added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from sqlalchemy import Engine

from app.intake.service import IntakeService
from app.webhooks.service import WebhookService

if TYPE_CHECKING:
    from ui.main_window import MainWindow


@runtime_checkable
class DatabaseBackend(Protocol):
    """A backend over a real database (the service backend; tests' fakes are not)."""

    engine: Engine
    actor_name: str
    role: str | None


def add_marketplace_parts(window: MainWindow, file_menu: QMenu) -> None:
    """Add the import action to ``file_menu`` and a Dead letters tab to ``window.tabs``."""
    backend = window.backend
    if not isinstance(backend, DatabaseBackend):
        return
    engine, actor, role = backend.engine, backend.actor_name or "desk", backend.role
    from ui.dead_letters_view import DeadLettersView

    dead_letters = DeadLettersView(WebhookService(engine, actor, role), window.executor,
                                   window.tasks)
    window.dead_letters = dead_letters
    window.tabs.addTab(dead_letters, "Dead letters")
    window.tabs.currentChanged.connect(
        lambda i: window.tasks.spawn(dead_letters.reload())
        if window.tabs.widget(i) is dead_letters else None)
    action = QAction("&Import orders…", window)
    intake = IntakeService(engine, actor, role)

    def open_import() -> None:
        from ui.import_dialog import ImportOrdersDialog

        dialog = ImportOrdersDialog(intake, window.executor, window.tasks, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _n: window.queue.reload())
        window.import_dialog = dialog
        dialog.open()

    action.triggered.connect(open_import)
    window.import_orders_action = action
    first = file_menu.actions()
    if first:
        file_menu.insertAction(first[0], action)
    else:
        file_menu.addAction(action)
