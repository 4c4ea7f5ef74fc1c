"""The one code path every transfer state change goes through (check, update, audit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Transfer
from app.domain.errors import PermissionDeniedError
from app.domain.states import Action, Role, Status, check_transition
from app.repositories import transfers as repo


def require_role(session: Session, role: Role, what: str) -> None:
    """Refuse unless the session's current role is (a member of) ``role``.

    Raises:
        PermissionDeniedError: with what was attempted and the role it needs.
    """
    allowed = session.scalar(select(func.pg_has_role(func.current_user(), role.value, "MEMBER")))
    if not allowed:
        current = session.scalar(select(func.current_user()))
        raise PermissionDeniedError(f"{current} may not {what}: it needs the {role.value} role")


def apply(
    session: Session,
    transfer: Transfer,
    action: Action,
    target: Status,
    values: dict[str, Any],
    actor_name: str,
    detail: dict[str, Any] | None = None,
) -> Transfer:
    """Check ``action`` from the transfer's state, write ``values`` + status, add the audit row.

    ``transfer`` must have been loaded (and locked) in this session.

    Raises:
        IllegalTransitionError: the state machine forbids it.
    """
    before = transfer.status
    check_transition(action, before, target)
    updated = repo.update_values(session, transfer.id, {**values, "status": target.value})
    repo.add_audit(
        session,
        action=action.value,
        actor_name=actor_name,
        transfer_id=transfer.id,
        from_status=before,
        to_status=target.value,
        detail=detail,
    )
    return updated
