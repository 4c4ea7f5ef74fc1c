"""Settings: passwords to the real Secret Service keyring; a plain error when it is unusable."""

from __future__ import annotations

import tomllib

import keyring
from keyring.backends import fail

from app.config import load_settings
from app.credentials import CredentialStore, mailbox_key, portal_key, stripe_key
from ui.db_executor import ServiceExecutor, TaskGroup
from ui.settings_dialog import SettingsDialog


def _dialog(qtbot, tmp_path, backend=None, database_url=None):
    config = tmp_path / "config.toml"
    config.write_text('log_level = "INFO"\n', "utf-8")
    env = {"TRANSFERDESK_DATA_DIR": str(tmp_path / "data")}
    if database_url:
        env["TRANSFERDESK_DATABASE_URL"] = database_url
    settings = load_settings(config, environ=env)
    executor, tasks = ServiceExecutor(2), TaskGroup()
    dialog = SettingsDialog(settings, backend, executor, tasks)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog, executor, config


def test_passwords_go_to_the_keyring(qtbot, run, until, tmp_path, keyring_service, backend,
                                     account_id):
    dialog, executor, _config = _dialog(qtbot, tmp_path, backend)
    assert run(dialog.check_keyring())
    until(lambda: dialog.portal_account.count() == 1)
    dialog.portal_password.setText("portal-secret-1")
    assert run(dialog.save_portal_password())
    dialog.mail_name.setText("transfers")
    dialog.mail_password.setText("imap-secret-2")
    assert run(dialog.save_mailbox_password())
    dialog.stripe_key.setText("sk_test_123")
    assert run(dialog.save_stripe_key())
    store = CredentialStore()
    assert store.get(portal_key(str(account_id))) == "portal-secret-1"
    assert store.get(mailbox_key("transfers")) == "imap-secret-2"
    assert store.get(stripe_key("test")) == "sk_test_123"
    # the fields are cleared once saved: no secret lingers in the widgets
    assert dialog.portal_password.text() == dialog.mail_password.text() == ""
    executor.shutdown(wait=True)


def test_unusable_keyring_says_so_and_saves_nothing(qtbot, run, tmp_path, keyring_service):
    dialog, executor, _config = _dialog(qtbot, tmp_path)
    keyring.set_keyring(fail.Keyring())
    assert not run(dialog.check_keyring())
    assert "Passwords cannot be saved" in dialog.keyring_label.text()
    dialog.stripe_key.setText("sk_test_999")
    assert not run(dialog.save_stripe_key())
    assert dialog.stripe_result.text().startswith("Not saved")
    assert dialog.stripe_key.text() == "sk_test_999"  # kept for a retry
    executor.shutdown(wait=True)


def test_database_test_and_save(qtbot, run, tmp_path, database_url):
    dialog, executor, config = _dialog(qtbot, tmp_path, database_url=database_url)
    run(dialog.test_database())
    assert dialog.db_result.text().startswith("Connected (PostgreSQL 15")
    dialog.db_url.setText("postgresql://127.0.0.1:1/nowhere")
    run(dialog.test_database())
    assert dialog.db_result.text().startswith("cannot connect")
    dialog.db_url.setText("postgresql://staff@db.internal/transferdesk")
    dialog.display_name.setText("Dana (desk 3)")
    dialog.save_database()
    saved = tomllib.loads(config.read_text("utf-8"))
    assert saved == {"log_level": "INFO", "database_url": "postgresql://staff@db.internal/transferdesk",
                     "display_name": "Dana (desk 3)"}
    dialog.db_url.setText("postgresql://staff:hunter2@db.internal/transferdesk")
    dialog.save_database()
    assert "hunter2" not in config.read_text("utf-8")
    executor.shutdown(wait=True)
