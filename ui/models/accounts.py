"""The accounts-at-a-glance table: one row per portal account and its session state.

A row is the core's :class:`~app.domain.account_states.AccountStatus` plus the result of the
desk's last sign-in check of that account (:class:`AccountRow`). Display text of the session
states is :data:`SESSION_STATE_LABELS`; the model keeps the enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from app.domain.account_states import AccountStatus, SessionState
from ui.models.columns import (
    NO_VALUE,
    Column,
    ColumnTableModel,
    Index,
    full_time,
    short_time,
)

SESSION_STATE_LABELS: dict[SessionState, str] = {
    SessionState.SIGNED_IN: "Signed in",
    SessionState.SESSION_EXPIRED: "Session expired",
    SessionState.SIGN_IN_FAILED: "Sign-in failed",
    SessionState.LOCKED: "Locked",
    SessionState.BLOCKED_BY_SITE: "Blocked by the site",
    SessionState.PAUSED_BY_BREAKER: "Paused by the circuit breaker",
    SessionState.NEVER_SIGNED_IN: "Never signed in",
    SessionState.UNKNOWN: "Unknown",
}
#: What each state means for the operator (the state cell's tooltip).
SESSION_STATE_HINTS: dict[SessionState, str] = {
    SessionState.SIGNED_IN: "a run proved the portal session within the session lifetime",
    SessionState.SESSION_EXPIRED: "the last proven session is old: the next run signs in again",
    SessionState.SIGN_IN_FAILED: "the portal refused the sign-in or no code arrived: check the "
                                 "password in Settings > Portal accounts",
    SessionState.LOCKED: "the portal says the account is locked: unlock it on the site",
    SessionState.BLOCKED_BY_SITE: "the site refused the automated browser",
    SessionState.PAUSED_BY_BREAKER: "the circuit breaker paused the site after repeated blocks; "
                                    "a supervisor may resume it",
    SessionState.NEVER_SIGNED_IN: "no run used this account yet",
    SessionState.UNKNOWN: "its runs say nothing about the session (errors, timeouts)",
}
#: States that need a person's attention (drawn in the warning colour).
TROUBLE_STATES = frozenset({SessionState.SIGN_IN_FAILED, SessionState.LOCKED,
                            SessionState.BLOCKED_BY_SITE, SessionState.PAUSED_BY_BREAKER})


@dataclass(frozen=True)
class AccountRow:
    """One account as the view shows it: its status and the desk's last check of it."""

    status: AccountStatus
    check: str = ""  # "" (not checked from this desk), "Signing in…", or the result line


def account_name(status: AccountStatus) -> str:
    """"Main account (desk@example.com)" or the username alone."""
    return f"{status.label} ({status.username})" if status.label else status.username


def may_act(status: AccountStatus) -> str:
    """"now", a time, or why it never acts ("assisted", "retired")."""
    if status.may_act_at is None:
        return "never (assisted)" if status.active else "never (retired)"
    if status.may_act_at <= status.checked_at:
        return "now"
    return short_time(status.may_act_at)


def last_failure(status: AccountStatus) -> str:
    """"05 Mar 14:05: Invalid email or password." or a dash."""
    if status.last_failure_at is None:
        return NO_VALUE
    return f"{short_time(status.last_failure_at)}: {status.last_failure_reason}"


def open_transfers(status: AccountStatus) -> str:
    """The open total; the tooltip splits it by status."""
    return str(status.open_transfers.total)


def _open_tooltip(status: AccountStatus) -> str:
    o = status.open_transfers
    return (f"{o.awaiting_notice} awaiting the notice, {o.notice_received} with the notice, "
            f"{o.accepting} being accepted, {o.needs_review} needing review")


def _state_tooltip(status: AccountStatus) -> str:
    since = f" (since {full_time(status.state_since)})" if status.state_since else ""
    return f"{SESSION_STATE_HINTS[status.state]}{since}"


def _time_sort(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


class AccountsModel(ColumnTableModel[AccountRow]):
    """Account, site, state, last success, last failure, may act, open transfers, check."""

    COLUMNS = (
        Column[AccountRow]("Account", lambda r: account_name(r.status),
                           tooltip=lambda r: f"{r.status.platform} account #{r.status.account_id}"),
        Column[AccountRow]("Site", lambda r: r.status.site_url),
        Column[AccountRow]("State", lambda r: SESSION_STATE_LABELS[r.status.state],
                           tooltip=lambda r: _state_tooltip(r.status)),
        Column[AccountRow]("Last success", lambda r: short_time(r.status.last_success_at),
                           sort=lambda r: _time_sort(r.status.last_success_at),
                           tooltip=lambda r: full_time(r.status.last_success_at)),
        Column[AccountRow]("Last failure", lambda r: last_failure(r.status),
                           sort=lambda r: _time_sort(r.status.last_failure_at),
                           tooltip=lambda r: r.status.last_failure_reason or "no failure"),
        Column[AccountRow]("May act", lambda r: may_act(r.status),
                           sort=lambda r: _time_sort(r.status.may_act_at),
                           tooltip=lambda r: r.status.waiting_reason or "may act now"),
        Column[AccountRow]("Open", lambda r: open_transfers(r.status),
                           sort=lambda r: r.status.open_transfers.total,
                           tooltip=lambda r: _open_tooltip(r.status)),
        Column[AccountRow]("Sign-in check", lambda r: r.check or NO_VALUE,
                           tooltip=lambda r: r.check or "not checked from this desk"),
    )
    STATE_COLUMN = 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (index.isValid() and index.column() == self.STATE_COLUMN
                and 0 <= index.row() < len(self._rows)):
            state = self._rows[index.row()].status.state
            if role == Qt.ItemDataRole.ForegroundRole and state in TROUBLE_STATES:
                return QBrush(QColor("#c62828"))
            if role == Qt.ItemDataRole.DecorationRole:
                return _state_icon(state)
        return super().data(index, role)

    def row_for(self, account_id: int) -> int | None:
        """The model row of ``account_id`` (None: not shown)."""
        return next((i for i, r in enumerate(self._rows) if r.status.account_id == account_id),
                    None)

    def set_statuses(self, statuses: list[AccountStatus]) -> None:
        """Show fresh statuses, keeping each account's last check result."""
        checks = {r.status.account_id: r.check for r in self._rows}
        self.set_rows([AccountRow(s, checks.get(s.account_id, "")) for s in statuses])

    def set_check(self, account_id: int, check: str) -> None:
        """Write a sign-in check's progress or result into the account's row."""
        row = self.row_for(account_id)
        if row is None:
            return
        self._rows[row] = AccountRow(self._rows[row].status, check)
        last = self.index(row, len(self.COLUMNS) - 1)
        self.dataChanged.emit(last, last)


def _state_icon(state: SessionState) -> QIcon:
    """A standard icon per state: fine, trouble, or a question."""
    if state is SessionState.SIGNED_IN:
        pixmap = QStyle.StandardPixmap.SP_DialogApplyButton
    elif state in TROUBLE_STATES:
        pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning
    elif state is SessionState.SESSION_EXPIRED:
        pixmap = QStyle.StandardPixmap.SP_BrowserReload
    else:
        pixmap = QStyle.StandardPixmap.SP_MessageBoxQuestion
    return QApplication.style().standardIcon(pixmap)
