"""Adds the marketplace boundary to the main window: File > Import orders… and Dead letters.

Both need the database engine of the real service backend; with another backend (tests'
fakes) nothing is added.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.intake.service import IntakeService
from app.webhooks.service import WebhookService


def add_marketplace_parts(window: Any, file_menu: QMenu) -> None:
    """Add the import action to ``file_menu`` and a Dead letters tab to ``window.tabs``."""
    engine = getattr(window.backend, "engine", None)
    if engine is None:
        return
    actor = getattr(window.backend, "actor_name", "") or "desk"
    role = getattr(window.backend, "role", None)
    from ui.dead_letters_view import DeadLettersView

    window.dead_letters = DeadLettersView(WebhookService(engine, actor, role), window.executor,
                                          window.tasks)
    window.tabs.addTab(window.dead_letters, "Dead letters")
    window.tabs.currentChanged.connect(
        lambda i: window.tasks.spawn(window.dead_letters.reload())
        if window.tabs.widget(i) is window.dead_letters else None)
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
