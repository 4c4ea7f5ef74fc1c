"""What staff do to the current transfer (or the selection): accept, decide, claim, release,
open its accept link, copy its order ref, open its trace.

Owns the actions' behaviour; :mod:`ui.transfer_commands` makes them QActions (toolbar, menus,
keys), the run panel's buttons call them too. Each blocking call goes through the window's
executor. The rules for when each applies are :mod:`app.desk.action_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.desk.action_rules import Selection, accept_targets, latest_trace, trusted_accept_link
from app.desk.api import DeskBackend
from app.domain.records import TransferRow

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.override_dialog import OverrideDialog


class TransferActions(QObject):
    """The triage actions of one window.

    Args:
        window: the built main window (queue, tabs, run panel, detail, help).
        backend: the desk's services.

    Signals:
        running_changed(): the transfers this desk's run panel works on changed.
    """

    running_changed = Signal()

    def __init__(self, window: MainWindow, backend: DeskBackend) -> None:
        super().__init__(window)
        self._window = window
        self._backend = backend
        self.running_ids: frozenset[int] = frozenset()
        window.run_panel.batch_finished.connect(self._batch_finished)

    def accept_current(self) -> None:
        """Accept the current transfer in the run panel."""
        row = self._window.queue.current_row()
        if row is not None:
            self._start([row])

    def accept_selected(self) -> None:
        """Accept every selected transfer that can run, one after another (the rest skipped)."""
        rows = self._window.queue.selected_rows()
        targets = accept_targets(rows, self._window.commands.desk_state())
        if len(targets) < len(rows):
            self._window.statusBar().showMessage(
                f"Accepting {len(targets)} of {len(rows)} selected; "
                f"{len(rows) - len(targets)} cannot be accepted now", 8000)
        if targets:
            self._start(targets)

    def _start(self, rows: list[TransferRow]) -> None:
        panel = self._window.run_panel
        if panel.running:
            return
        self._window.tabs.setCurrentWidget(panel)
        self.running_ids = frozenset(row.id for row in rows)
        self.running_changed.emit()
        panel.start(rows)

    def _batch_finished(self, _results: list[object]) -> None:
        self.running_ids = frozenset()
        self.running_changed.emit()

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
            self._window.queue.refresh_row(row.id)  # before the change feed's echo arrives

        self._window.tasks.spawn(work(), name=f"{name}-{row.id}")

    def open_accept_link(self, selection: Selection) -> str | None:
        """Open the current transfer's accept link in the system browser, only when it is on
        its account's registered site (checked again here); returns the URL opened."""
        url = trusted_accept_link(selection)
        if url is not None:
            QDesktopServices.openUrl(QUrl(url))
            self._window.statusBar().showMessage("Accept link opened in your browser", 5000)
        return url

    def copy_order_ref(self) -> str | None:
        """Put the current transfer's order ref on the clipboard; returns it."""
        row = self._window.queue.current_row()
        if row is None:
            return None
        QGuiApplication.clipboard().setText(row.order_ref)
        self._window.statusBar().showMessage(f"Copied {row.order_ref}", 3000)
        return row.order_ref

    def open_trace(self, selection: Selection) -> None:
        """Open the latest run's trace the way the detail pane does (its trace viewer)."""
        detail = selection.current_detail
        trace = latest_trace(detail) if detail is not None else None
        if trace is not None:
            self._window.tasks.spawn(self._window.detail.open_trace(trace), name="open-trace")

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self._window.queue.search_edit.setFocus()
        self._window.queue.search_edit.selectAll()

    def open_detail(self) -> None:
        """Show the current transfer's detail tab and move the keyboard focus to its timeline."""
        if self._window.queue.current_row() is not None:
            self._window.tabs.setCurrentWidget(self._window.detail)
            self._window.detail.timeline.setFocus()

    def escape(self) -> None:
        """Esc: close the help overlay, else abort the running batch, else back to the queue."""
        if self._window.help.isVisible():
            self._window.help.hide()
        elif self._window.run_panel.running:
            self._window.run_panel.abort()
        else:
            self._window.queue.table.setFocus()
