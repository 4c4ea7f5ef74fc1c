"""The alarms banner: what is wrong (drift, stale workers, keyring) and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.domain.records import AlarmInfo

#: What staff should do, per alarm kind.
ADVICE: dict[str, str] = {
    "template_drift": "The portal's email changed: forward a sample to the admin; link notices "
                      "by hand meanwhile (Unmatched notices).",
    "selector_drift": "The portal's pages changed: automation stops for that site; accept by "
                      "hand and ask the admin to update the portal profile.",
    "stale_worker": "A worker stopped reporting: check that machine; its claims return to the "
                    "queue when their lease runs out.",
    "keyring_unavailable": "The OS keyring is locked or missing: unlock it (sign in again), then "
                           "reopen Settings.",
    "escrow_failure": "A capture or cancel failed: check the Stripe dashboard and retry.",
    "deadline_warning": "Accept (or decide) this transfer before its deadline; it expires by "
                        "itself when the accept window or the hold lapses.",
    "site_blocked": "The site refuses automated browsers: accept its transfers by hand in your "
                    "own browser (assisted lane); a supervisor may resume automation early.",
}


class AlarmsBanner(QFrame):
    """A coloured strip listing open alarms; hidden when there are none.

    Signals:
        resume_site(str): a supervisor asked to end a blocked site's pause (the site URL).
    """

    resume_site = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmsBanner")
        self.setAccessibleName("Alarms")
        self.setStyleSheet(
            "#alarmsBanner { background: #b71c1c; } #alarmsBanner QLabel { color: white; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.dismiss_button = QPushButton("Hide")
        self.dismiss_button.clicked.connect(self.hide)
        self.resume_button = QPushButton("Resume site automation")
        self.resume_button.setToolTip("End the pause of the first blocked site (supervisors)")
        self.resume_button.clicked.connect(self._resume_first)
        self.resume_button.setVisible(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.resume_button)
        layout.addWidget(self.dismiss_button)
        self._local: dict[str, str] = {}
        self._alarms: Sequence[AlarmInfo] = ()
        self.setVisible(False)

    def set_alarms(self, alarms: Sequence[AlarmInfo]) -> None:
        """Show the open alarms from the database."""
        self._alarms = alarms
        self._render()

    def set_local(self, kind: str, message: str | None) -> None:
        """Raise (or clear with None) an alarm only this desk knows about (e.g. the keyring)."""
        if message is None:
            self._local.pop(kind, None)
        else:
            self._local[kind] = message
        self._render()

    def _render(self) -> None:
        lines = [_kind_line(kind, group) for kind, group in _by_kind(self._alarms).items()]
        lines += [
            f"<b>{escape(_words(kind))}</b>: {escape(message)} — "
            f"<i>{ADVICE.get(kind, '')}</i>"
            for kind, message in self._local.items()
        ]
        self.label.setText("<br>".join(lines))
        self.setToolTip(_full_list(self._alarms))
        self.resume_button.setVisible(self._blocked_site() is not None)
        self.setVisible(bool(lines))

    def _blocked_site(self) -> str | None:
        return next((a.key for a in self._alarms if a.kind == "site_blocked"), None)

    def _resume_first(self) -> None:
        site = self._blocked_site()
        if site is not None:
            self.resume_site.emit(site)


#: Messages named per kind before "and N more": a backlog of 200 deadline warnings is one line,
#: so the banner never grows the window.
SHOWN_PER_KIND = 3
TOOLTIP_LIMIT = 40


def _words(kind: str) -> str:
    return kind.replace("_", " ")


def _by_kind(alarms: Sequence[AlarmInfo]) -> dict[str, list[AlarmInfo]]:
    groups: dict[str, list[AlarmInfo]] = {}
    for alarm in alarms:
        groups.setdefault(alarm.kind, []).append(alarm)
    return groups


def _kind_line(kind: str, group: Sequence[AlarmInfo]) -> str:
    """One banner line per kind: the first few messages, a count of the rest, the advice."""
    shown = "; ".join(
        escape(a.message) + (f" ({a.count}×)" if a.count > 1 else "")
        for a in group[:SHOWN_PER_KIND])
    more = len(group) - SHOWN_PER_KIND
    rest = f" and {more} more" if more > 0 else ""
    return (f"<b>{escape(_words(kind))}</b>: {shown}{rest} — "
            f"<i>{ADVICE.get(kind, 'see the log for details.')}</i>")


def _full_list(alarms: Sequence[AlarmInfo]) -> str:
    lines = [f"{_words(a.kind)}: {a.message}" for a in alarms[:TOOLTIP_LIMIT]]
    if len(alarms) > TOOLTIP_LIMIT:
        lines.append(f"… and {len(alarms) - TOOLTIP_LIMIT} more")
    return "\n".join(lines)
