"""The settings window's tabs (database, mailbox, portal accounts, Stripe) and their checks.

:class:`ui.settings_dialog.SettingsDialog` composes them; each tab owns its fields, its "Test
connection" and "Save" buttons and the result line beside them.
"""
