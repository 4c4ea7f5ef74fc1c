"""Portal accounts tab: add (:mod:`ui.settings.add_account_dialog`), edit
(:mod:`ui.settings.edit_account_dialog`) or remove (:mod:`ui.settings.remove_account`) an
account, each account's password (keyring ``portal:<id>``) and a real test sign-in. Retired
accounts are not listed.

The sign-in runs in the browser on its own thread (:mod:`automation.runs.sign_in_check`), awaited
through the executor: the GUI loop never waits on the browser. When the portal asks for a
verification code that the mailbox does not deliver, an inline field asks for it.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.domain.account_states import AutomationMode
from app.domain.accounts import AccountEdited
from app.domain.records import PortalAccountInfo
from app.errors import KnownError
from automation.runs.events import Answer
from ui.code_prompt import ASK_TEXT, SENT_TEXT, CodePrompt
from ui.settings.add_account_dialog import AddAccountDialog
from ui.settings.common import SettingsContext, result_row
from ui.settings.edit_account_dialog import EditAccountDialog, browser_sign_in, edit_summary
from ui.settings.remove_account import confirm_removal, removal_summary
from ui.widgets import named

MODES = ("automatic", "assisted")
CLI_NOTE = ("Edit… changes the name, username, site, mode or password (supervisors; staff may "
            "change the password). Remove… retires an account transfers refer to, or deletes "
            "it; the command line does the same (`transferdesk accounts edit|remove`).")


def _wide_first(wide: QWidget, button: QWidget) -> QWidget:
    """A form row's field: ``wide`` taking the room, ``button`` beside it."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(wide, 1)
    layout.addWidget(button)
    return row


class PortalTab(QWidget):
    """Pick or add an account, save its password, test a sign-in.

    Signals:
        account_added(object): an account added through "Add account…" (its
            :class:`~app.domain.records.PortalAccountInfo`), already in the list.
        accounts_changed(): an account was added, edited or removed here (the queue's
            account names and filter reload).
        code_requested(str, object): the sign-in needs a code for this account (emitted from the
            browser thread; shown by the GUI thread); the object is the Answer to fill.
    """

    code_requested = Signal(str, object)
    account_added = Signal(object)
    accounts_changed = Signal()

    def __init__(self, context: SettingsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        #: Seconds to wait for an emailed code before asking (tests shorten it).
        self.mail_code_timeout = 45.0
        form = QFormLayout(self)
        self.account = named(QComboBox(), "portal account")
        self.details = named(QLabel(wordWrap=True), "portal account details")
        self.password = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "portal password")
        self.password.setPlaceholderText("stored in the OS keyring")
        self.add_button = named(QPushButton("Add account…"), "add portal account")
        self.add_button.setToolTip("A new portal account: its site, sign-in and password")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.edit_button = named(QPushButton("Edit…"), "edit portal account")
        self.edit_button.clicked.connect(self.open_edit_dialog)
        self.remove_button = named(QPushButton("Remove…"), "remove portal account")
        self.remove_button.clicked.connect(self.ask_removal)
        manage = QWidget()
        manage_row = QHBoxLayout(manage)
        manage_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.edit_button, self.remove_button):
            manage_row.addWidget(button)
        form.addRow("Account", _wide_first(self.account, manage))
        form.addRow("", self.details)
        self.cli_note = named(QLabel(CLI_NOTE, wordWrap=True), "editing accounts")
        form.addRow("Password", self.password)
        self.mode = named(QComboBox(), "automation mode")
        self.mode.addItems(list(MODES))
        self.mode.setToolTip("assisted: never automate this account; a person accepts its "
                             "transfers in their own browser (supervisors may change it)")
        self.mode_button = QPushButton("Apply mode")
        form.addRow("Automation", _wide_first(self.mode, self.mode_button))
        self.test_button = QPushButton("Test sign-in")
        self.save_button = QPushButton("Save password")
        self.result = result_row(form, "portal result", self.test_button, self.save_button)
        self.code_row = CodePrompt()
        self.code_label, self.code, self.code_button = (
            self.code_row.label, self.code_row.edit, self.code_row.button)
        form.addRow(self.code_row)
        form.addRow(self.cli_note)
        self.add_dialog: AddAccountDialog | None = None
        self.edit_dialog: EditAccountDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.account.currentIndexChanged.connect(self._show_details)
        self.test_button.clicked.connect(lambda: context.tasks.spawn(self.test()))
        self.save_button.clicked.connect(lambda: context.tasks.spawn(self.save()))
        self.mode_button.clicked.connect(lambda: context.tasks.spawn(self.apply_mode()))
        self.code_button.clicked.connect(self.submit_code)
        self.code.returnPressed.connect(self.submit_code)
        self.code_requested.connect(self._ask_code)

    async def load_accounts(self) -> None:
        """Fill the account list from the database."""
        if self._context.backend is None:
            self.result.setText("Connect to the database to see the portal accounts.")
            return
        for info in await self._context.executor.call(self._context.backend.accounts):
            if info.active:  # a retired account is history only
                self.account.addItem(_item_text(info), info)
        if self.account.count() == 0:
            self.result.setText("No portal account yet: press Add account… to add one.")
            self.add_button.setDefault(True)

    def open_add_dialog(self) -> AddAccountDialog | None:
        """Open the "Add account…" dialog (None: no database connected)."""
        backend = self._context.backend
        if backend is None:
            self.result.setText("Connect to the database to add portal accounts.")
            return None
        if self.add_dialog is not None and self.add_dialog.isVisible():
            self.add_dialog.raise_()
            return self.add_dialog
        dialog = AddAccountDialog(self._context, backend, self)
        dialog.account_added.connect(self._added)
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def open_edit_dialog(self) -> EditAccountDialog | None:
        """Open "Edit account…" for the selected account (None: none, or no database)."""
        info, backend = self.current_account(), self._context.backend
        if info is None or backend is None:
            self.result.setText("No portal account selected.")
            return None
        dialog = EditAccountDialog(
            backend, self._context.executor, self._context.tasks, info,
            AutomationMode(self.mode.currentText()),
            browser_sign_in(self._context.settings, self.mail_code_timeout), self,
            keyring_problem=self._context.keyring_problem)
        dialog.account_edited.connect(self._edited)
        self.edit_dialog = dialog
        dialog.open()
        return dialog

    def _edited(self, edited: AccountEdited) -> None:
        index = self._index_of(edited.account.id)
        if index >= 0:
            self.account.setItemText(index, _item_text(edited.account))
            self.account.setItemData(index, edited.account)
        self._show_details()
        self.result.setText(edit_summary(edited))
        self.accounts_changed.emit()

    def ask_removal(self) -> QMessageBox | None:
        """Confirm, then remove the selected account (None: none selected)."""
        info = self.current_account()
        if info is None or self._context.backend is None:
            self.result.setText("No portal account selected.")
            return None
        self.confirmation = confirm_removal(
            self, info, lambda: self._context.tasks.spawn(self.remove(info.id)))
        return self.confirmation

    async def remove(self, account_id: int) -> bool:
        """Retire or delete ``account_id`` (supervisors) and drop it from the list."""
        backend = self._context.backend
        if backend is None:
            return False
        try:
            removed = await self._context.executor.call(backend.remove_account, account_id)
        except KnownError as exc:
            self.result.setText(f"Not removed: {exc}")
            return False
        index = self._index_of(account_id)
        if index >= 0:
            self.account.removeItem(index)
        self.result.setText(removal_summary(removed))
        self.accounts_changed.emit()
        return True

    def _index_of(self, account_id: int) -> int:
        """The list position of ``account_id`` (-1: not listed)."""
        for index in range(self.account.count()):
            info = self.account.itemData(index)
            if isinstance(info, PortalAccountInfo) and info.id == account_id:
                return index
        return -1

    def _added(self, info: PortalAccountInfo) -> None:
        """Show the new account, selected, and say where its password went."""
        from app.credentials import portal_key

        self.account.addItem(_item_text(info), info)
        self.account.setCurrentIndex(self.account.count() - 1)
        self.add_button.setDefault(False)
        tested = self.add_dialog.sign_in_summary if self.add_dialog is not None else ""
        self.result.setText(f"Added portal account #{info.id} {info.username}; its password is "
                            f"in the OS keyring ({portal_key(str(info.id))})."
                            + (f" {tested}." if tested else ""))
        self.account_added.emit(info)
        self.accounts_changed.emit()

    def current_account(self) -> PortalAccountInfo | None:
        """The account picked in the list (None: none)."""
        info = self.account.currentData()
        return info if isinstance(info, PortalAccountInfo) else None

    def _show_details(self) -> None:
        info = self.current_account()
        self.details.setText("" if info is None else (
            f"{info.platform} · {info.site_url} · {info.username}"
            + ("" if info.active else " · inactive")))
        if info is not None:
            self._context.tasks.spawn(self._load_mode(info.id))

    async def _load_mode(self, account_id: int) -> None:
        backend = self._context.backend
        if backend is None:
            return
        mode = await self._context.executor.call(backend.automation_mode, account_id)
        current = self.current_account()
        if current is not None and current.id == account_id:
            self.mode.setCurrentText(mode)

    async def apply_mode(self) -> bool:
        """Set the selected account's automation mode (supervisors; audited)."""
        info, backend = self.current_account(), self._context.backend
        if info is None or backend is None:
            self.result.setText("No portal account selected.")
            return False
        mode = self.mode.currentText()
        try:
            old = await self._context.executor.call(backend.set_automation_mode, info.id, mode)
        except KnownError as exc:
            self.result.setText(f"Mode not changed: {exc}")
            return False
        self.result.setText(f"{info.username}: automation mode {old} → {mode}"
                            + (" (its transfers go to the assisted lane)"
                               if mode == "assisted" else ""))
        return True

    async def save(self) -> bool:
        """Store the selected account's password as ``portal:<id>``."""
        from app.credentials import portal_key

        info = self.current_account()
        if info is None:
            self.result.setText("No portal account selected.")
            return False
        if not await self._context.store_secret(
                portal_key(str(info.id)), self.password.text(), self.result):
            return False
        self.password.clear()
        return True

    async def test(self) -> bool:
        """Sign in for real with the stored password; the outcome shows beside the button."""
        from app.credentials import portal_key
        from automation.portals.protocol import PortalCredentials
        from automation.runs.sign_in_check import check_portal_sign_in

        info = self.current_account()
        if info is None:
            self.result.setText("No portal account selected.")
            return False
        if self.password.text():
            self.result.setText("Save the password first: the test signs in with the stored one.")
            return False
        secret = await self._context.read_secret(portal_key(str(info.id)), self.result)
        if not secret:
            return False
        credentials = PortalCredentials(info.site_url, info.username, secret)
        self.test_button.setEnabled(False)
        self.result.setText(f"Signing in to {info.site_url}…")
        try:
            report = await self._context.executor.call(
                check_portal_sign_in, self._context.settings, info.platform, credentials,
                self.code_requested.emit, mail_timeout=self.mail_code_timeout)
        except asyncio.CancelledError:  # the window is closing: widgets may be gone already
            self._decline_pending()
            raise
        except KnownError as exc:
            self._finish(f"Sign-in failed: {exc}")
            return False
        except Exception:
            self._finish("The sign-in test failed unexpectedly.")
            raise  # a bug: the window's error handler reports it
        self._finish(report.summary())
        return True

    def _finish(self, message: str) -> None:
        self._close_prompt(None)
        self.test_button.setEnabled(True)
        self.result.setText(message)

    def _ask_code(self, account: str, answer: Answer) -> None:
        self.code_row.ask(account, answer)
        self.result.setText(ASK_TEXT)

    def submit_code(self) -> None:
        """Hand the typed code to the waiting sign-in."""
        if self.code_row.submit():
            self.result.setText(SENT_TEXT)

    def _decline_pending(self) -> None:
        self.code_row.decline()

    def _close_prompt(self, code: str | None) -> None:
        self.code_row.close_prompt(code)

    def shutdown(self) -> None:
        """Decline a pending code request (the window is closing), so the sign-in ends."""
        self._close_prompt(None)


def _item_text(info: PortalAccountInfo) -> str:
    return f"{info.label or info.username} — {info.site_url}"
