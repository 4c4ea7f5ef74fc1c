"""Database tab: the connection URL (empty: the embedded cluster) and the desk's display name."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPushButton, QWidget

from app.errors import KnownError
from ui.settings.common import SettingsContext, result_row
from ui.widgets import named


class DatabaseTab(QWidget):
    """Edit, test and save the database connection (written to config.toml, no password)."""

    def __init__(self, context: SettingsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        settings = context.settings
        form = QFormLayout(self)
        self.url = named(QLineEdit(settings.database_url or ""), "database url")
        self.url.setPlaceholderText("empty: the embedded database")
        self.display_name = named(QLineEdit(settings.display_name), "display name")
        form.addRow("Database URL", self.url)
        form.addRow("Your name (audit log)", self.display_name)
        self.test_button, self.save_button = QPushButton("Test connection"), QPushButton("Save")
        self.result = result_row(form, "database result", self.test_button, self.save_button)
        self.test_button.clicked.connect(lambda: context.tasks.spawn(self.test()))
        self.save_button.clicked.connect(self.save)

    async def test(self) -> bool:
        """Connect with the URL typed (or the embedded database) and show the server version."""
        from app.connection_checks import check_database
        from app.db.engine import resolve_database_url

        url = self.url.text().strip()
        self.result.setText("Testing…")
        try:
            if not url:
                url = await self._context.executor.call(
                    resolve_database_url, self._context.settings)
            version = await self._context.executor.call(check_database, url)
        except KnownError as exc:
            self.result.setText(str(exc))
            return False
        self.result.setText(f"Connected (PostgreSQL {version})")
        return True

    def save(self) -> bool:
        """Write the URL and display name to config.toml (refused: a password in the URL)."""
        from app.config_writer import update_config

        try:
            update_config(self._context.settings.config_path, {
                "database_url": self.url.text().strip() or None,
                "display_name": self.display_name.text().strip() or None,
            })
        except KnownError as exc:
            self.result.setText(f"Not saved: {exc}")
            return False
        self.result.setText(
            f"Saved to {self._context.settings.config_path}; restart TransferDesk to use it.")
        return True
