"""Run outcomes for untrusted links, unreadable seats, payment steps and blocked sites.

``untrusted_link`` (an accept link off the account's registered site), ``unverified`` (the
seats could not be read), ``payment_required`` (the site asks the recipient to pay: never
pay) and ``blocked`` (the site refuses automated browsers) join the outcome sets of
``runs.outcome`` and ``transfers.last_outcome``.

Revision ID: 0005_more_outcomes
Revises: 0004_queue_sort_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_more_outcomes"
down_revision: str | None = "0004_queue_sort_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the value sets at this revision (migrations never import app code).
OLD_OUTCOMES = (
    "accepted", "already_accepted", "not_found", "expired_on_portal", "cancelled_by_sender",
    "wrong_tickets", "login_failed", "mfa_timeout", "bot_challenge", "portal_error", "timeout",
    "selector_drift", "aborted",
)
NEW_OUTCOMES = OLD_OUTCOMES + ("untrusted_link", "unverified", "payment_required", "blocked")

#: (table, column, constraint name) of every outcome CHECK.
CHECKS = (
    ("runs", "outcome", "ck_runs_outcome"),
    ("transfers", "last_outcome", "ck_transfers_last_outcome"),
)


def _replace(values: tuple[str, ...]) -> None:
    listed = ", ".join(repr(v) for v in values)
    for table, column, name in CHECKS:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, f"{column} IS NULL OR {column} IN ({listed})")


def upgrade() -> None:
    """Widen both outcome CHECKs."""
    _replace(NEW_OUTCOMES)


def downgrade() -> None:
    """Narrow them again (fails while a row holds a new outcome)."""
    _replace(OLD_OUTCOMES)
