"""Stripe tab: the test and live secret keys (separate keyring slots) and a connection test."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPushButton, QWidget

from app.errors import KnownError
from app.escrow.mode import StripeMode, mode_for_key
from ui.settings.common import SettingsContext, result_row
from ui.widgets import named


class StripeTab(QWidget):
    """Save a key for the chosen mode, or test the stored one (mode, account, balance)."""

    def __init__(self, context: SettingsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        form = QFormLayout(self)
        self.mode = named(QComboBox(), "stripe mode")
        self.mode.addItem("Test mode (stripe:test)", "test")
        self.mode.addItem("Live mode (stripe:live)", "live")
        self.key = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "stripe key")
        self.key.setPlaceholderText("sk_test_… / sk_live_… (stored in the OS keyring)")
        form.addRow("Mode", self.mode)
        form.addRow("Secret key", self.key)
        self.test_button, self.save_button = QPushButton("Test connection"), QPushButton("Save key")
        self.result = result_row(form, "stripe result", self.test_button, self.save_button)
        self.test_button.clicked.connect(lambda: context.tasks.spawn(self.test()))
        self.save_button.clicked.connect(lambda: context.tasks.spawn(self.save()))

    def _mode(self) -> StripeMode:
        return StripeMode.LIVE if self.mode.currentData() == "live" else StripeMode.TEST

    async def save(self) -> bool:
        """Store the typed key in the chosen mode's slot (a key of the other mode is refused)."""
        mode, secret = self._mode(), self.key.text().strip()
        if secret:
            try:
                actual = mode_for_key(secret)
            except KnownError as exc:
                self.result.setText(f"Not saved: {exc}")
                return False
            if actual is not mode:
                self.result.setText(f"Not saved: that is a {actual.value}-mode key; choose "
                                    f"{actual.value} mode to store it.")
                return False
        if not await self._context.store_secret(mode.keyring_key, secret, self.result):
            return False
        self.key.clear()
        return True

    async def test(self) -> bool:
        """Call Stripe with the stored key: show the mode, account and balance, or why not."""
        from app.connection_checks import check_stripe

        mode = self._mode()
        self.result.setText("Testing…")
        try:
            found = await self._context.executor.call(
                check_stripe, mode, self._context.settings.stripe_api_base)
        except KnownError as exc:
            self.result.setText(f"{mode.label}: {exc}")
            return False
        self.result.setText(found.summary())
        return True
