"""Edit… and Remove… on the accounts view in a REAL window (Xvfb, QT_QPA_PLATFORM=xcb).

``python -m tests.ui.account_edit_window_driver DATABASE_URL DATA_DIR EDIT_ID BUSY_ID`` opens
the accounts view, edits EDIT_ID through its dialog by real clicks and typing (a new name and
password), tries to remove BUSY_ID (refused: open transfers), removes EDIT_ID through the
confirmation, then ticks Show retired; it prints one JSON line with what the window showed.
Used by tests/ui/test_account_edit_window.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.config import load_settings
from app.db.engine import make_engine
from app.desk.service_backend import ServiceBackend
from app.domain.states import Role
from tests.ui.driver_main import print_result, until
from tests.ui.views_window_driver import _click, _shown
from ui.db_executor import ServiceExecutor, TaskGroup

NEW_NAME, NEW_PASSWORD = "State U box office", "Typed-New-pw-77"


async def _confirm(view: Any) -> QMessageBox:
    _click(view.remove_button)
    await until(lambda: view.confirmation is not None and view.confirmation.isVisible(),
                 "the confirmation")
    box: QMessageBox = view.confirmation
    return box


async def edit_and_remove(backend: ServiceBackend, executor: ServiceExecutor, settings: Any,
                          edit_id: int, busy_id: int) -> dict[str, Any]:
    from ui.accounts_view import AccountsView, keyring_sign_in

    view = AccountsView(backend, executor, TaskGroup(), keyring_sign_in(settings),
                        settings=settings)
    view.resize(1200, 420)
    await _shown(view)
    await view.reload()
    result: dict[str, Any] = {"platform": QGuiApplication.platformName(),
                              "visible": view.isVisible(),
                              "listed": sorted(view.model.row_at(r).status.account_id
                                               for r in range(view.model.rowCount()))}
    assert view.select_account(edit_id)
    _click(view.edit_button)
    await until(lambda: view.edit_dialog is not None and view.edit_dialog.isVisible(),
                 "the edit dialog")
    dialog = view.edit_dialog
    assert dialog is not None
    result["prefilled"] = [dialog.label.text(), dialog.username.text(), dialog.site_url.text(),
                           dialog.mode.currentText(), dialog.password.text()]
    result["test_offered"] = dialog.test_first.isVisible()
    dialog.label.selectAll()
    QTest.keyClicks(dialog.label, NEW_NAME)
    QTest.keyClicks(dialog.password, NEW_PASSWORD)
    _click(dialog.save_button)
    await until(lambda: not dialog.isVisible(), "the edit to be saved")
    await until(lambda: "changed" in view.status.text(), "the edit's status line")
    result["edited_status"] = view.status.text()

    assert view.select_account(busy_id)
    box = await _confirm(view)
    result["busy_question"] = box.text()
    [remove] = [b for b in box.buttons() if b.text() == "Remove"]
    _click(remove)
    await until(lambda: view.status.text().startswith("Not removed"), "the refusal")
    result["busy_status"] = view.status.text()

    await until(lambda: view.select_account(edit_id), "the edited row")
    box = await _confirm(view)
    [remove] = [b for b in box.buttons() if b.text() == "Remove"]
    _click(remove)
    await until(lambda: "retired" in view.status.text() or "deleted" in view.status.text(),
                 "the removal")
    result["removed_status"] = view.status.text()
    await until(lambda: view.model.row_for(edit_id) is None, "the reload without it")
    _click(view.show_retired)
    await until(lambda: view.model.row_for(edit_id) is not None, "Show retired")
    assert view.select_account(edit_id)
    result["retired_buttons"] = [view.edit_button.isEnabled(), view.remove_button.isEnabled()]
    result["retired_label"] = view.model.row_at(view.model.row_for(edit_id) or 0).status.label
    view.close()
    return result


async def drive(argv: list[str]) -> dict[str, Any]:
    url, data_dir, edit_id, busy_id = argv
    settings = load_settings(Path(data_dir) / "none.toml",
                             environ={"TRANSFERDESK_DATA_DIR": data_dir})
    engine = make_engine(url)
    backend = ServiceBackend(engine, "Sam (supervisor)", role=Role.SUPERVISOR.value)
    backend.sessions_dir = settings.data_dir / "browser"
    executor = ServiceExecutor(3)
    try:
        return await edit_and_remove(backend, executor, settings, int(edit_id), int(busy_id))
    finally:
        executor.shutdown(wait=True)
        engine.dispose()


if __name__ == "__main__":
    print_result(drive)
