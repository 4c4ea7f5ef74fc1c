"""The main window. At this stage: the frame, menus and a database status line."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from app.config import Settings
from app.errors import KnownError


class MainWindow(QMainWindow):
    """Top-level window of TransferDesk."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        self.setWindowTitle("TransferDesk")
        self.resize(1200, 760)
        self._placeholder = QLabel("Pending transfers will appear here.")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self._placeholder)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu("&File").addAction(quit_action)
        self.statusBar().showMessage("Connecting to the database…")

    async def connect_database(self) -> None:
        """Resolve (and on first use start) the database off the GUI thread, then report it."""
        from app.db import migrate
        from app.db.engine import resolve_database_url

        def work() -> str:
            url = resolve_database_url(self._settings)
            migrate.upgrade(url)
            return migrate.current_revision(url) or "empty"

        loop = asyncio.get_running_loop()
        try:
            revision = await loop.run_in_executor(None, work)
        except KnownError as exc:
            self.statusBar().showMessage(f"Database unavailable: {exc}")
            return
        where = "embedded database" if self._settings.uses_embedded_database else "database"
        self.statusBar().showMessage(f"Connected to the {where} (schema {revision}).")
