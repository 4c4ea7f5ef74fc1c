"""A context-manager base for the sandbox's local servers (portal, Dovecot, localstripe)."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class LocalServer:
    """``with Server(...) as server:`` starts it and always stops it; subclasses do the work."""

    def start(self) -> None:
        """Start the server and return once it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server; safe to call twice."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
