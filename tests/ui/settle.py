"""Deliver what Qt has queued for the widgets now, instead of sleeping and hoping it ran.

Layout requests, paint updates and deferred deletes are posted events: sending them here makes
a check (a grab, a geometry, a painted text) see the settled state however busy the machine is.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

ROUNDS = 4  # a layout request may post its parent's, and so on up the window


def settle_layout() -> None:
    """Handle every pending layout request (and the ones they post, a few levels up)."""
    for _ in range(ROUNDS):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def settle_paint() -> None:
    """Lay out, then paint whatever is marked dirty (the pending update requests)."""
    settle_layout()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)


def delete_later_now() -> None:
    """Run the pending ``deleteLater`` deletions."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
