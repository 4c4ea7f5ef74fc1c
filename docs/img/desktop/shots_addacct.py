"""Screenshots of Settings > Portal accounts > Add account…, called from make_screenshots.py.

:func:`shoot_add_account` -> ``add-account.png`` (the form filled in, password masked, "Test
sign-in before saving" ticked) and ``add-account-error.png`` (the inline one-line error for a
plain-http site on a real host). Needs a connected window (any database: demo data is fine);
nothing is saved (the dialog is cancelled), so the database and keyring are left as they were.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from shots_views import Shot
from shots_wait import until

if TYPE_CHECKING:
    from ui.main_window import MainWindow


async def shoot_add_account(window: MainWindow, shot: Shot) -> None:
    """The Add account… dialog over the Portal accounts tab: filled in, then an inline error."""
    from ui.settings_dialog import SettingsDialog

    window.open_settings()
    await until(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)),
                 "the settings dialog")
    settings = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    settings.show_tab("portal")
    tab = settings.portal
    await until(lambda: tab.account.count() > 0 or tab.result.text(), "the accounts")
    dialog = tab.open_add_dialog()
    assert dialog is not None, "the window has no database connected"
    dialog.site_url.setText("https://tickets.state-u.example.edu")
    dialog.username.setText("box@market.example")
    dialog.label.setText("State U")
    dialog.password.setText("example-password")
    dialog.test_first.setChecked(True)
    await asyncio.sleep(0.3)
    shot(dialog, "add-account")
    dialog.site_url.setText("http://tickets.state-u.example.edu")
    assert await dialog.submit() is None  # refused inline: nothing is saved
    await asyncio.sleep(0.3)
    shot(dialog, "add-account-error")
    dialog.reject()
    settings.reject()
