"""Edit a portal account from the desk: its name, username, site URL, automation mode and
password, checked like ``transferdesk accounts edit`` (:mod:`app.domain.accounts`), saved
through :meth:`app.desk.api.DeskBackend.edit_account` (the row and the keyring slot together,
the old identity's saved browser session dropped by the core).

The password field stays empty to keep the stored password. Every blocking step (the optional
real test sign-in, the keyring, the database) runs in the executor; while it runs the form is
disabled and a busy bar shows. A problem is one line under the form, the field it is about gets
the focus, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.config import Settings
from app.credentials import KeyringUnavailableError
from app.desk.api import DeskBackend
from app.domain.account_states import AutomationMode
from app.domain.accounts import AccountChanges, AccountEdited, check_site_url, check_username
from app.domain.records import PortalAccountInfo
from app.errors import KnownError
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings.account_form import AccountFormDialog
from ui.widgets import named

#: A real, blocking test sign-in: (account, site URL, username, password or None for the stored
#: one) -> the result line; raises KnownError saying why it failed.
SignInTest = Callable[[PortalAccountInfo, str, str, str | None], str]


def browser_sign_in(settings: Settings, mail_timeout: float = 45.0) -> SignInTest:
    """The real test: a fresh browser signs in (a code the mailbox lacks is declined)."""

    def test(account: PortalAccountInfo, site_url: str, username: str,
             password: str | None) -> str:
        from automation.runs.sign_in_check import check_account_sign_in

        return check_account_sign_in(settings, account.id, account.platform, site_url, username,
                                     password, lambda _account, answer: answer.set(None),
                                     no_password_hint="type one to test with",
                                     mail_timeout=mail_timeout).summary()

    return test


class EditAccountDialog(AccountFormDialog):
    """The "Edit account…" form (open it with ``.open()``).

    Signals:
        account_edited(object): the saved :class:`~app.domain.accounts.AccountEdited`.
    """

    account_edited = Signal(object)

    def __init__(self, backend: DeskBackend, executor: ServiceExecutor, tasks: TaskGroup,
                 account: PortalAccountInfo, mode: AutomationMode,
                 sign_in_test: SignInTest | None = None, parent: QWidget | None = None,
                 keyring_problem: Callable[[str], None] | None = None) -> None:
        super().__init__(f"Edit portal account #{account.id}", "edit account", "Save changes",
                         parent)
        self._backend, self._executor, self._tasks = backend, executor, tasks
        self.account, self._sign_in_test = account, sign_in_test
        self._keyring_problem = keyring_problem
        #: The test sign-in's one line ("" when not tested).
        self.sign_in_summary = ""
        self.label = named(QLineEdit(account.label), "account name")
        self.label.setPlaceholderText("optional: a name shown to staff")
        self.username = named(QLineEdit(account.username), "username")
        self.site_url = named(QLineEdit(account.site_url), "site URL")
        self.mode = named(QComboBox(), "automation mode")
        self.mode.addItems([m.value for m in AutomationMode])
        self.mode.setCurrentText(mode.value)
        self.mode.setToolTip("assisted: never automate this account; a person accepts its "
                             "transfers in their own browser")
        self.password = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "new password")
        self.password.setPlaceholderText("leave empty to keep the stored password")
        self.test_first = named(QCheckBox("Test sign-in before saving"), "test sign-in first",
                                visible=sign_in_test is not None)
        self.test_first.setToolTip("Signs in to the site for real with these details (the "
                                   "stored password if none is typed); saved only if it works")
        self.note = named(QLabel("A new site or username drops the account's saved browser "
                                 "session: the next run signs in again.", wordWrap=True),
                          "edit account note")
        self.form.addRow("Platform", QLabel(account.platform))
        for text, widget in (("Name", self.label), ("Username", self.username),
                             ("Site URL", self.site_url), ("Automation", self.mode),
                             ("New password", self.password)):
            self.form.addRow(text, widget)
        self.form.addRow("", self.test_first)
        self.inputs = [self.label, self.username, self.site_url, self.mode, self.password,
                       self.test_first]
        self.buttons.accepted.connect(lambda: self._tasks.spawn(self.submit()))
        self.finish_layout(self.note)
        self.finished.connect(lambda _result: self.password.clear())

    def _problem(self) -> tuple[str, QWidget] | None:
        """The first bad field (a one-line reason and the widget), None when all are fine."""
        for check, widget in ((check_username, self.username), (check_site_url, self.site_url)):
            try:
                check(widget.text())
            except KnownError as exc:
                return str(exc), widget
        return None

    def changes(self) -> AccountChanges:
        """What the form holds (the core saves only what differs)."""
        return AccountChanges(label=self.label.text(), username=self.username.text(),
                              password=self.password.text() or None,
                              automation_mode=AutomationMode(self.mode.currentText()),
                              site_url=self.site_url.text())

    async def submit(self) -> AccountEdited | None:
        """Check, optionally test, then save; the saved edit, or None (nothing saved)."""
        if (problem := self._problem()) is not None:
            self._fail(*problem)
            return None
        self.error.clear()
        changes = self.changes()
        try:
            if self.test_first.isChecked() and not await self._test(changes):
                return None
            self._busy(True, "Saving the account…")
            try:
                edited: AccountEdited = await self._executor.call(
                    self._backend.edit_account, self.account.id, changes)
            finally:
                self._busy(False)
        except KeyringUnavailableError as exc:
            self._fail(f"Not saved: {exc}", self.password)
            if self._keyring_problem is not None:
                self._keyring_problem(f"Passwords cannot be saved: {exc}")
            return None
        except KnownError as exc:
            self._fail(f"Not saved: {exc}")
            return None
        self.password.clear()
        self.account_edited.emit(edited)
        self.accept()
        return edited

    async def _test(self, changes: AccountChanges) -> bool:
        """A real sign-in with the form's details (nothing stored); False: say why, stop."""
        assert self._sign_in_test is not None
        site, username = check_site_url(self.site_url.text()), check_username(
            self.username.text())
        self.sign_in_summary = ""
        self._busy(True, f"Signing in to {site}…")
        try:
            self.sign_in_summary = await self._executor.call(
                self._sign_in_test, self.account, site, username, changes.password)
        except KnownError as exc:
            self._fail(f"Sign-in failed, nothing saved: {exc}")
            return False
        finally:
            self._busy(False)
        return True


def edit_summary(edited: AccountEdited) -> str:
    """One line saying what an edit changed ("#3 box@…: name, password changed")."""
    account = edited.account
    return (f"Portal account #{account.id} {account.username}: {', '.join(edited.changed)} "
            "changed" + ("; its saved browser session was dropped"
                         if edited.session_dropped else "") + ".")
