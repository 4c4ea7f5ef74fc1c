"""Screenshots of Edit… and Remove… on View > Portal accounts, called from make_screenshots.py.

:func:`shoot_edit_account` -> ``edit-account.png`` (the Edit account dialog over the accounts
view, a new name typed, the password field empty: the stored one is kept),
``edit-account-error.png`` (the inline one-line error for a plain-http site on a real host) and
``remove-account.png`` (the confirmation saying what removing does). Needs a connected window
with at least one active portal account (demo data is fine); nothing is saved (the dialog and
the confirmation are cancelled), so the database and keyring are left as they were.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from shots_views import Shot
from shots_wait import until

if TYPE_CHECKING:
    from ui.main_window import MainWindow


async def shoot_edit_account(window: MainWindow, shot: Shot) -> None:
    """The accounts view's Edit… dialog (filled in, then an inline error) and Remove…'s
    confirmation, for its first account."""
    from ui.accounts_view import AccountsView
    from ui.desk_windows import ACCOUNTS_ACTION

    action = window.findChild(QAction, ACCOUNTS_ACTION)
    assert action is not None, "View > Portal accounts is missing"
    action.trigger()
    await until(lambda: window.findChild(AccountsView) is not None, "the accounts view")
    view = window.findChild(AccountsView)
    assert view is not None
    await view.reload()
    assert view.model.rowCount() > 0, "the database has no active portal account"
    view.table.selectRow(0)
    dialog = view.edit_selected()
    assert dialog is not None
    dialog.label.setText(f"{dialog.label.text() or 'State U'} box office")
    await asyncio.sleep(0.3)
    shot(dialog, "edit-account")
    dialog.site_url.setText("http://tickets.state-u.example.edu")
    assert await dialog.submit() is None  # refused inline: nothing is saved
    await asyncio.sleep(0.3)
    shot(dialog, "edit-account-error")
    dialog.reject()
    box = view.remove_selected()
    assert box is not None
    await until(box.isVisible, "the removal confirmation")
    await asyncio.sleep(0.3)
    shot(box, "remove-account")
    box.button(QMessageBox.StandardButton.Cancel).click()
    view.close()  # deleted on close: the accounts shot after this one opens a fresh view
    await until(lambda: window.findChild(AccountsView) is None, "the view to be deleted")
