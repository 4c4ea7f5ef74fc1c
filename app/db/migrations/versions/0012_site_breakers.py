"""Blocked sites: per-site circuit breakers, automation modes and the assisted lane (reserved).

Revision ID: 0012_site_breakers
Revises: 0011_portal_profiles
"""

from collections.abc import Sequence

revision: str = "0012_site_breakers"
down_revision: str | None = "0011_portal_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: reserved in the chain so parallel work can fill it in."""


def downgrade() -> None:
    """Nothing yet."""
