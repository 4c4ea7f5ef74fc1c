"""Core events: plain Python publish/subscribe, no Qt.

Producers (change feed, mail sync, browser runs, escrow) publish frozen dataclasses on an
:class:`EventBus` from whatever thread they run on. Subscribers are called synchronously on that
thread, so they must be quick and thread-safe; the desktop subscribes once through
``ui/bridge.py``, which re-emits every event as a Qt signal on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar, cast, overload

log = logging.getLogger(__name__)

E = TypeVar("E")
#: A handler of every event.
Handler = Callable[[object], None]


class EventBus:
    """Thread-safe fan-out of event objects to subscribers, optionally filtered by type."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type | None, Handler]] = []

    @overload
    def subscribe(self, handler: Handler, event_type: None = None) -> Callable[[], None]: ...

    @overload
    def subscribe(self, handler: Callable[[E], None], event_type: type[E]) -> Callable[[], None]:
        ...

    def subscribe(self, handler: Callable[[E], None] | Handler,
                  event_type: type[E] | None = None) -> Callable[[], None]:
        """Call ``handler(event)`` for every event (of ``event_type`` if given).

        Returns:
            A function that removes the subscription.
        """
        # only instances of event_type ever reach a typed handler (see publish)
        entry = (event_type, cast(Handler, handler))
        with self._lock:
            self._handlers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)

        return unsubscribe

    def publish(self, event: object) -> None:
        """Deliver ``event`` to matching subscribers; a failing handler is logged, not raised."""
        with self._lock:
            handlers = list(self._handlers)
        for event_type, handler in handlers:
            if event_type is None or isinstance(event, event_type):
                try:
                    handler(event)
                except Exception:  # a broken subscriber must not break the producer
                    log.exception("event handler %r failed for %s", handler, type(event).__name__)
