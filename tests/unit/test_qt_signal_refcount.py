"""The installed PySide6 keeps Python's reference counts: PySide6 6.12.0's ``Signal.emit()``
returned ``True`` without a reference of its own, so every emit dropped one, and a desk left
open long enough died with "Fatal Python error: bool_dealloc" (pyproject.toml excludes it)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 5_000


class _Sender(QObject):
    ping = Signal()
    value = Signal(int)


def test_emitting_signals_keeps_the_references_to_true_and_false() -> None:
    sender = _Sender()
    received: list[int] = []
    sender.value.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(EMITS):
        sender.ping.emit()
        sender.value.emit(n)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(received) == EMITS
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)
