"""What staff do to the current transfer (or the selection): accept, decide, claim, release.

Owns the actions' behaviour; :mod:`ui.window_actions` binds them to keys and menus, the run
panel's buttons call them too. Each blocking call goes through the window's executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.desk.api import DeskBackend

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.override_dialog import OverrideDialog


class TransferActions:
    """The triage actions of one window.

    Args:
        window: the built main window (queue, tabs, run panel, detail, help).
        backend: the desk's services.
    """

    def __init__(self, window: MainWindow, backend: DeskBackend) -> None:
        self._window = window
        self._backend = backend

    def accept_current(self) -> None:
        """Accept the current transfer in the run panel."""
        row = self._window.queue.current_row()
        if row is not None:
            self._window.tabs.setCurrentWidget(self._window.run_panel)
            self._window.run_panel.start([row])

    def accept_selected(self) -> None:
        """Accept every selected transfer, one after another."""
        rows = self._window.queue.selected_rows()
        if rows:
            self._window.tabs.setCurrentWidget(self._window.run_panel)
            self._window.run_panel.start(rows)

    def open_override(self) -> OverrideDialog | None:
        """Open the manual decision dialog for the current transfer (non-modal)."""
        from ui.override_dialog import OverrideDialog

        row = self._window.queue.current_row()
        if row is None:
            return None
        dialog = OverrideDialog(row, self._backend, self._window.executor, self._window.tasks,
                                self._window)
        dialog.decided.connect(lambda _result: self._window.detail.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def claim_current(self) -> None:
        """Claim the current transfer for this desk."""
        self._run_on_current(self._backend.claim, "claim", "Claimed")

    def release_current(self) -> None:
        """Release this desk's claim on the current transfer."""
        self._run_on_current(self._backend.release, "release", "Released")

    def _run_on_current(self, call: Callable[[int], object], name: str, done: str) -> None:
        row = self._window.queue.current_row()
        if row is None:
            return

        async def work() -> None:
            result = await self._window.executor.call(call, row.id)
            message = f"{done} {row.order_ref}" if result is not None else (
                f"{row.order_ref} is held by someone else")
            self._window.statusBar().showMessage(message, 5000)

        self._window.tasks.spawn(work(), name=f"{name}-{row.id}")

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self._window.queue.search_edit.setFocus()
        self._window.queue.search_edit.selectAll()

    def escape(self) -> None:
        """Esc: close the help overlay, else abort the running batch."""
        if self._window.help.isVisible():
            self._window.help.hide()
        elif self._window.run_panel.running:
            self._window.run_panel.abort()
