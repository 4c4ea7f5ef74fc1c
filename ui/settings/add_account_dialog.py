"""Add a portal account from the desk: its site, username, label and password, checked like
``transferdesk accounts add`` (:mod:`app.domain.accounts`), saved through
:meth:`app.desk.api.DeskBackend.add_account` (the row and the keyring slot ``portal:<id>``,
both or neither).

Every blocking step (the optional real test sign-in, the keyring, the database) runs in the
executor; while it runs the form is disabled and a busy bar shows. A problem is one line under
the form, the field it is about gets the focus, and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from app.credentials import KeyringUnavailableError
from app.desk.api import DeskBackend, NewPortalAccount
from app.domain.accounts import check_site_url, check_username
from app.domain.records import PortalAccountInfo
from app.errors import KnownError
from automation.runs.events import Answer
from ui.settings.account_form import AccountFormDialog
from ui.settings.common import SettingsContext
from ui.widgets import named


def supported_platforms() -> list[str]:
    """The platforms of the bundled selector profiles (the portals the runner can drive)."""
    from automation.portals.profile import available_profiles, load_profile

    return sorted({load_profile(name).platform for name in available_profiles()})


class AddAccountDialog(AccountFormDialog):
    """The "Add account…" form (open it with ``.open()``).

    Signals:
        account_added(object): the new :class:`~app.domain.records.PortalAccountInfo`, once
            its row and its password are both saved.
        code_requested(str, object): the test sign-in needs a code (from the browser thread);
            the dialog declines it, the tab's Test sign-in can ask for one later.
    """

    account_added = Signal(object)
    code_requested = Signal(str, object)

    def __init__(self, context: SettingsContext, backend: DeskBackend,
                 parent: QWidget | None = None) -> None:
        super().__init__("Add a portal account", "add account", "Add account", parent)
        self._context, self._backend = context, backend
        #: Seconds to wait for an emailed code during the test sign-in.
        self.mail_code_timeout = 45.0
        self._code_declined = False
        #: The test sign-in's one line ("" when not tested), also shown by the tab.
        self.sign_in_summary = ""
        self.platform = named(QComboBox(), "platform")
        self.platform.addItems(supported_platforms())
        self.site_url = named(QLineEdit(), "site URL")
        self.site_url.setPlaceholderText("https://tickets.example.edu")
        self.username = named(QLineEdit(), "username")
        self.username.setPlaceholderText("the sign-in email")
        self.label = named(QLineEdit(), "label")
        self.label.setPlaceholderText("optional: a name shown to staff")
        self.password = named(QLineEdit(echoMode=QLineEdit.EchoMode.Password), "password")
        self.password.setPlaceholderText("stored in the OS keyring")
        self.test_first = named(QCheckBox("Test sign-in before saving"), "test sign-in first")
        self.test_first.setToolTip("Signs in to the site for real with these details; the "
                                   "account is saved only if the sign-in works")
        for text, widget in (("Platform", self.platform), ("Site URL", self.site_url),
                             ("Username", self.username), ("Label", self.label),
                             ("Password", self.password)):
            self.form.addRow(text, widget)
        self.form.addRow("", self.test_first)
        self.inputs = [self.platform, self.site_url, self.username, self.label, self.password,
                       self.test_first]
        self.buttons.accepted.connect(lambda: context.tasks.spawn(self.submit()))
        self.finish_layout()
        self.code_requested.connect(self._decline_code)
        self.finished.connect(lambda _result: self.password.clear())

    def _problem(self) -> tuple[str, QWidget] | None:
        """The first bad field (a one-line reason and the widget), None when all are fine."""
        if not self.platform.currentText():
            return "No supported portal platform is installed.", self.platform
        try:
            check_site_url(self.site_url.text())
        except KnownError as exc:
            return str(exc), self.site_url
        try:
            check_username(self.username.text())
        except KnownError as exc:
            return str(exc), self.username
        if not self.password.text():
            return "Type the account's password (it goes to the OS keyring).", self.password
        return None

    def new_account(self) -> NewPortalAccount:
        """What the form holds (checked by :meth:`submit`)."""
        return NewPortalAccount(self.platform.currentText(), self.site_url.text().strip(),
                                self.username.text().strip(), self.label.text().strip(),
                                self.password.text())

    async def submit(self) -> PortalAccountInfo | None:
        """Check, optionally test, then save; the new account, or None (nothing saved)."""
        if (problem := self._problem()) is not None:
            self._fail(*problem)
            return None
        self.error.clear()
        account = self.new_account()
        try:
            if self.test_first.isChecked() and not await self._test(account):
                return None
            self._busy(True, "Saving the account and its password…")
            try:
                info = await self._context.executor.call(self._backend.add_account, account)
            finally:
                self._busy(False)
        except KeyringUnavailableError as exc:
            self._fail(f"Not added: {exc}")
            self._context.keyring_problem(f"Passwords cannot be saved: {exc}")
            return None
        except KnownError as exc:
            self._fail(f"Not added: {exc}")
            return None
        self.password.clear()
        self.status.setText(self.sign_in_summary)
        self.account_added.emit(info)
        self.accept()
        return info

    async def _test(self, account: NewPortalAccount) -> bool:
        """A real sign-in with the typed password (nothing stored); False: say why, stop."""
        from automation.portals.protocol import PortalCredentials
        from automation.runs.sign_in_check import check_portal_sign_in

        credentials = PortalCredentials(account.site_url, account.username, account.password)
        self._code_declined, self.sign_in_summary = False, ""
        self._busy(True, f"Signing in to {account.site_url}…")
        try:
            report = await self._context.executor.call(
                check_portal_sign_in, self._context.settings, account.platform, credentials,
                self.code_requested.emit, mail_timeout=self.mail_code_timeout)
        except KnownError as exc:
            hint = (" (add it without the test, then use Test sign-in: it asks for the code)"
                    if self._code_declined else "")
            self._fail(f"Sign-in failed, nothing saved: {exc}{hint}")
            return False
        finally:
            self._busy(False)
        self.sign_in_summary = report.summary()
        return True

    def _decline_code(self, _account: str, answer: Answer) -> None:
        """No prompt here: the test ends without a code (the tab's Test sign-in can ask)."""
        self._code_declined = True
        answer.set(None)
