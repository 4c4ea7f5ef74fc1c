"""What every service shares: the session factory, the acting role and the display name.

A service method is one unit of work: :meth:`Service.transaction` opens a session, switches to
the configured PostgreSQL role with ``set_config('role', ..., true)`` (SET LOCAL ROLE, undone at
commit, so pooled connections stay clean) and, in the same statement, the display name in the
GUC ``transferdesk.actor_name`` (the audit triggers read it); it commits on success and rolls
back on any error. PostgreSQL's permission errors become
:class:`~app.domain.errors.PermissionDeniedError` with the server's message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, TextClause, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import PermissionDeniedError
from app.domain.states import Role

#: SQLSTATE 42501 insufficient_privilege (grants and the guard triggers).
INSUFFICIENT_PRIVILEGE = "42501"


def make_sessionmaker(bind: Engine | sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory for ``bind`` (objects stay readable after commit)."""
    if isinstance(bind, sessionmaker):
        return bind
    return sessionmaker(bind=bind, expire_on_commit=False)


class Service:
    """Base of every service.

    Args:
        bind: an engine or a session factory.
        actor_name: the human-readable name written to the audit log ("Dana (desk 3)").
        role: a PostgreSQL role to act as (``SET LOCAL ROLE``); None keeps the login role.
    """

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        actor_name: str = "",
        role: Role | str | None = None,
    ) -> None:
        self._sessions = make_sessionmaker(bind)
        self.actor_name = actor_name
        self.role = Role(role) if role is not None else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One session in one transaction, as the configured role; commits on success.

        Raises:
            PermissionDeniedError: the role may not do what was attempted.
        """
        session = self._sessions()
        try:
            with session.begin():
                session.execute(*self._session_settings())
                yield session
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                diag = getattr(exc.orig, "diag", None)
                detail = getattr(diag, "message_primary", None) or str(exc.orig)
                raise PermissionDeniedError(
                    f"not allowed for {self.role.value if self.role else 'this login'}: {detail}"
                ) from exc
            raise
        finally:
            session.close()

    def _session_settings(self) -> tuple[TextClause, dict[str, str]]:
        """One statement: the role (``SET LOCAL ROLE``) and the audit display name GUC."""
        params = {"name": self.actor_name}
        if self.role is None:
            return text("SELECT set_config('transferdesk.actor_name', :name, true)"), params
        return (
            text("SELECT set_config('role', :role, true),"
                 " set_config('transferdesk.actor_name', :name, true)"),
            {**params, "role": self.role.value},
        )
