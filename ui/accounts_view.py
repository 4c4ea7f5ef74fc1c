"""Accounts at a glance: every portal account's session state, with Sign in now and Resume.

The rows are the core's :class:`~app.domain.account_states.AccountStatus` (one query through
the desk backend), refreshed on a timer and, debounced, after runs and transfer changes.
"Sign in now" runs a real sign-in for the selected account with the password from the keyring
(:func:`automation.runs.sign_in_check.check_portal_sign_in`: its own browser thread, a fresh
context, so the desk's saved session is neither used nor replaced), awaited through the
executor: the GUI thread never waits. Its progress and result are written into the account's
row; a verification code the mailbox does not deliver is asked for inline. "Resume site" is
a supervisor's end of a circuit-breaker pause (audited by the core). "Edit…"
(:mod:`ui.settings.edit_account_dialog`) and "Remove…" (:mod:`ui.settings.remove_account`, after
a confirmation) change or retire the selected account, from the buttons or the context menu;
retired accounts are listed only with "Show retired".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelection, QPoint, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.desk.api import DeskBackend
from app.domain.account_states import AccountStatus, SessionState
from app.domain.accounts import AccountEdited
from app.domain.records import PortalAccountInfo
from app.errors import KnownError
from automation.runs.events import Answer
from automation.runs.sign_in_check import AskCode
from ui.bridge import EventBridge
from ui.code_prompt import ASK_TEXT, SENT_TEXT, CodePrompt
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.models.accounts import AccountsModel, account_name
from ui.models.columns import RowRole, SortRole
from ui.settings.edit_account_dialog import EditAccountDialog, browser_sign_in, edit_summary
from ui.settings.remove_account import confirm_removal, removal_summary
from ui.widgets import named

#: A blocking sign-in check of one account: the result line, or a KnownError saying why not.
#: Its second argument asks the operator for a code the mailbox did not deliver.
SignInCheck = Callable[[AccountStatus, AskCode], str]
REFRESH_MS = 30_000
#: Changes come in bursts (a batch run): one reload a second at most.
DEBOUNCE_MS = 1_000


def keyring_sign_in(settings: Settings) -> SignInCheck:
    """The real check: the stored password (keyring ``portal:<id>``), a real browser sign-in."""

    def check(status: AccountStatus, ask_code: AskCode) -> str:
        from automation.runs.sign_in_check import check_account_sign_in

        return check_account_sign_in(
            settings, status.account_id, status.platform, status.site_url, status.username,
            None, ask_code, no_password_hint="save it in Settings > Portal accounts").summary()

    return check


class AccountsView(QWidget):
    """The accounts table with Sign in now, Resume site, Edit…, Remove… and Refresh.

    Signals:
        checked(int, str): a sign-in check of the account ended, with its result line.
        code_requested(str, object): a check needs a verification code the mailbox did not
            deliver (emitted from the browser thread; the object is the Answer to fill).
        accounts_changed(): an account was edited or removed here (the queue's account names
            and filter reload).
    """

    checked = Signal(int, str)
    code_requested = Signal(str, object)
    accounts_changed = Signal()

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 sign_in: SignInCheck, parent: QWidget | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Portal accounts")
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self._sign_in = sign_in
        self._checking: set[int] = set()
        #: Edit's "Test sign-in before saving" (hidden without settings to sign in with).
        self.sign_in_test = None if settings is None else browser_sign_in(settings)
        self.edit_dialog: EditAccountDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.context_menu: QMenu | None = None
        self.model = AccountsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = named(QTableView(), "Portal accounts")
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # by account until clicked
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.sign_in_button = named(QPushButton("&Sign in now"), "Sign in now", enabled=False)
        self.sign_in_button.setToolTip("Sign in for real with the stored password, in a fresh "
                                       "browser (the saved session is left as it is)")
        self.resume_button = named(QPushButton("&Resume site"), "Resume site", enabled=False)
        self.resume_button.setToolTip("Supervisors: end the circuit breaker's pause of the "
                                      "selected account's site")
        self.edit_button = named(QPushButton("&Edit…"), "Edit account", enabled=False)
        self.edit_button.setToolTip("Change the selected account's name, username, password, "
                                    "automation mode or site (supervisors; a password: staff)")
        self.remove_button = named(QPushButton("Re&move…"), "Remove account", enabled=False)
        self.remove_button.setToolTip("Supervisors: retire the selected account (or delete it "
                                      "when no transfer refers to it), after a confirmation")
        self.show_retired = named(QCheckBox("Show retired"), "Show retired accounts")
        self.refresh_button = named(QPushButton("Refresh"), "Refresh accounts")
        self.progress = named(QProgressBar(), "Sign-in progress", visible=False)
        self.progress.setRange(0, 0)  # busy: a sign-in has no measurable steps
        self.progress.setMaximumWidth(160)
        self.summary = named(QLabel("Loading…"), "accounts summary")
        self.status = named(QLabel(""), "accounts status")
        self.status.setWordWrap(True)
        self.code_row = CodePrompt()
        self.code_label, self.code, self.code_button = (
            self.code_row.label, self.code_row.edit, self.code_row.button)
        buttons = QHBoxLayout()
        for button in (self.sign_in_button, self.resume_button, self.edit_button,
                       self.remove_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addWidget(self.show_retired)
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Portal accounts</b>: session state, last success and "
                                "failure, and when automation may act next"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.code_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)
        self.sign_in_button.clicked.connect(self.sign_in_selected)
        self.resume_button.clicked.connect(self.resume_selected)
        self.refresh_button.clicked.connect(self.schedule_reload)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.show_retired.toggled.connect(self.schedule_reload)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.code_requested.connect(self._ask_code)
        self.code_button.clicked.connect(self.submit_code)
        self.code.returnPressed.connect(self.submit_code)
        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._reload_if_shown)
        self.timer.start()
        self._debounce = QTimer(self, interval=DEBOUNCE_MS, singleShot=True)
        self._debounce.timeout.connect(self._reload_if_shown)

    def follow(self, bridge: EventBridge) -> None:
        """Reload (debounced) when a run finishes or a transfer changes."""
        bridge.run_finished.connect(lambda _event: self._debounce.start())
        bridge.transfer_changed.connect(lambda _event: self._debounce.start())

    def _reload_if_shown(self) -> None:
        """Timers and events reload only a view on screen (not one closing with the desk)."""
        if self.isVisible():
            self.schedule_reload()

    def schedule_reload(self) -> None:
        """Reload in the background (a newer reload replaces a running one)."""
        self._tasks.spawn(self.reload(), name="accounts-reload")

    async def reload(self) -> None:
        """Fetch every account's status off the GUI thread and show it."""
        try:
            statuses = await self._executor.call(self._backend.account_statuses,
                                                 self.show_retired.isChecked())
        except KnownError as exc:
            self.summary.setText(f"Could not load the accounts: {exc}")
            return
        selected = self.selected()
        first = self.model.rowCount() == 0
        self.model.set_statuses(list(statuses))
        if first:
            self.table.resizeColumnsToContents()
        if selected is not None:
            self.select_account(selected.account_id)
        self._selection_changed()
        trouble = sum(1 for s in statuses if s.state in _ATTENTION)
        self.summary.setText(
            "No portal account yet: add one in Settings > Portal accounts > Add account…"
            if not statuses else
            f"{len(statuses)} account(s), {trouble} needing attention; checked "
            f"{_clock(statuses[0].checked_at)}")

    def selected(self) -> AccountStatus | None:
        """The selected account's status (None: no selection)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(RowRole)
        return row.status if row is not None else None

    def select_account(self, account_id: int) -> bool:
        """Select ``account_id``'s row; False when it is not shown."""
        row = self.model.row_for(account_id)
        if row is None:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _selection_changed(self, _new: QItemSelection | None = None,
                           _old: QItemSelection | None = None) -> None:
        status = self.selected()
        self.sign_in_button.setEnabled(status is not None
                                       and status.account_id not in self._checking)
        self.resume_button.setEnabled(status is not None
                                      and status.state is SessionState.PAUSED_BY_BREAKER)
        editable = status is not None and status.active
        self.edit_button.setEnabled(editable)
        self.remove_button.setEnabled(editable and status is not None
                                      and status.account_id not in self._checking)

    def _context_menu(self, point: QPoint) -> None:
        """The row's commands (the same as the buttons, enabled alike)."""
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        for button in (self.sign_in_button, self.resume_button, self.edit_button,
                       self.remove_button):
            action = menu.addAction(button.text().replace("&", ""), button.click)
            action.setEnabled(button.isEnabled())
        menu.popup(self.table.viewport().mapToGlobal(point))
        self.context_menu = menu

    def edit_selected(self) -> EditAccountDialog | None:
        """Open "Edit account…" for the selected account (button, Alt+E, context menu)."""
        status = self.selected()
        if status is None or not status.active:
            return None
        dialog = EditAccountDialog(self._backend, self._executor, self._tasks, _info(status),
                                   status.automation_mode, self.sign_in_test, self)
        dialog.account_edited.connect(self._edited)
        self.edit_dialog = dialog
        dialog.open()
        return dialog

    def _edited(self, edited: AccountEdited) -> None:
        self.status.setText(edit_summary(edited))
        self.accounts_changed.emit()
        self.schedule_reload()

    def remove_selected(self) -> QMessageBox | None:
        """Ask to remove the selected account (button, Alt+M, context menu)."""
        status = self.selected()
        if status is None or not status.active:
            return None
        account_id = status.account_id
        self.confirmation = confirm_removal(
            self, _info(status), lambda: self._tasks.spawn(self.remove(account_id)))
        return self.confirmation

    async def remove(self, account_id: int) -> bool:
        """Remove (retire or delete) ``account_id`` off the GUI thread; the result in status."""
        try:
            removed = await self._executor.call(self._backend.remove_account, account_id)
        except KnownError as exc:
            self.status.setText(f"Not removed: {exc}")
            return False
        self.status.setText(removal_summary(removed))
        self.accounts_changed.emit()
        await self.reload()
        return True

    def sign_in_selected(self) -> None:
        """Start a sign-in check of the selected account (button, Alt+S)."""
        status = self.selected()
        if status is not None and status.account_id not in self._checking:
            self._tasks.spawn(self.sign_in(status))

    async def sign_in(self, status: AccountStatus) -> str:
        """Sign in to ``status``'s account off the GUI thread; the result goes into its row."""
        account_id = status.account_id
        self._checking.add(account_id)
        self.model.set_check(account_id, f"Signing in to {status.site_url}…")
        self.progress.show()
        self._selection_changed()
        try:
            result = await self._executor.call(self._sign_in, status, self.code_requested.emit)
        except KnownError as exc:
            result = f"Sign-in failed: {exc}"
        finally:
            self._close_prompt(None)
            self._checking.discard(account_id)
            self.progress.setVisible(bool(self._checking))
        line = f"{_clock(datetime.now().astimezone())} {result}"
        self.model.set_check(account_id, line)
        self.status.setText(f"{account_name(status)}: {result}")
        self._selection_changed()
        self.checked.emit(account_id, result)
        self.schedule_reload()
        return result

    def _ask_code(self, account: str, answer: Answer) -> None:
        self.code_row.ask(account, answer)
        self.status.setText(ASK_TEXT)

    def submit_code(self) -> None:
        """Hand the typed code to the waiting sign-in (button, Enter)."""
        if self.code_row.submit():
            self.status.setText(SENT_TEXT)

    def _close_prompt(self, code: str | None) -> None:
        self.code_row.close_prompt(code)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        """Decline a pending code prompt so its sign-in ends, then close."""
        self._close_prompt(None)
        super().closeEvent(event)

    def resume_selected(self) -> None:
        """Resume the selected account's paused site (button, Alt+R)."""
        status = self.selected()
        if status is not None:
            self._tasks.spawn(self.resume(status.site_url))

    async def resume(self, site_url: str) -> bool:
        """End the breaker's pause of ``site_url`` (supervisors); reload."""
        try:
            await self._executor.call(self._backend.resume_site, site_url)
        except KnownError as exc:
            self.status.setText(f"Not resumed: {exc}")
            return False
        self.status.setText(f"Automation of {site_url} resumed.")
        await self.reload()
        return True


_ATTENTION = frozenset({SessionState.SIGN_IN_FAILED, SessionState.LOCKED,
                        SessionState.BLOCKED_BY_SITE, SessionState.PAUSED_BY_BREAKER,
                        SessionState.SESSION_EXPIRED})


def _info(status: AccountStatus) -> PortalAccountInfo:
    """The account a status row is about (the record the edit and remove dialogs take)."""
    return PortalAccountInfo(status.account_id, status.platform, status.site_url,
                             status.username, status.label, status.active)


def _clock(value: datetime) -> str:
    return value.astimezone().strftime("%H:%M:%S")
