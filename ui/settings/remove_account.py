"""Remove a portal account from the desk: a confirmation that says what will happen, then
:meth:`app.desk.api.DeskBackend.remove_account` in the executor.

Shared by the accounts view and Settings > Portal accounts. The confirmation is opened with
``.open()`` (never a nested event loop); its Remove button calls back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.accounts import AccountRemoved
from app.domain.records import PortalAccountInfo
from ui.widgets import named


def removal_question(account: PortalAccountInfo) -> str:
    """What removing ``account`` does, in the words the confirmation shows."""
    from app.credentials import portal_key

    name = f"{account.label} ({account.username})" if account.label else account.username
    return (f"Remove portal account #{account.id} {name} on {account.site_url}?\n\n"
            "If any transfer refers to it, it is retired: its transfers, runs and audit keep "
            "naming it, but it takes no new transfers and automation never uses it. If none "
            "does, it is deleted.\n\n"
            f"Either way its password ({portal_key(str(account.id))}) is deleted from the OS "
            "keyring and its saved browser session from this computer. It is refused while "
            "the account has open transfers or a run in progress.")


def confirm_removal(parent: QWidget, account: PortalAccountInfo,
                    on_confirmed: Callable[[], object]) -> QMessageBox:
    """Open the confirmation (non-modal to the loop); ``on_confirmed`` runs on Remove."""
    box = named(QMessageBox(QMessageBox.Icon.Warning, "Remove portal account",
                            removal_question(account), QMessageBox.StandardButton.Cancel,
                            parent), "remove account confirmation")
    remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    remove.clicked.connect(on_confirmed)
    box.open()
    return box


def removal_summary(removed: AccountRemoved) -> str:
    """One line saying what the removal did."""
    account = removed.account
    what = ("retired (its history stays; it takes no new transfers)" if removed.retired
            else "deleted")
    return (f"Portal account #{account.id} {account.username} {what}; "
            + ("its password was deleted from the keyring" if removed.password_deleted
               else "it had no password in the keyring")
            + ("; its saved browser session was deleted." if removed.session_dropped else "."))
