"""ORM model of per-site circuit breakers (migration 0012): blocked sites pause automation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.models import TZ

AUTOMATION_MODES = ("automatic", "assisted")
"""``portal_accounts.automation_mode``: automate the site, or never (a person accepts)."""


class SiteBreaker(Base):
    """One portal site's breaker: recent blocks and, while open, the end of the pause."""

    __tablename__ = "site_breakers"

    site_url: Mapped[str] = mapped_column(Text, primary_key=True)
    recent_blocks: Mapped[list[datetime]] = mapped_column(ARRAY(TZ), server_default="{}")
    opened_at: Mapped[datetime | None] = mapped_column(TZ)
    open_until: Mapped[datetime | None] = mapped_column(TZ)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    closed_at: Mapped[datetime | None] = mapped_column(TZ)
    closed_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())


class LaneClaim(Base):
    """A desk working one transfer of the assisted lane until ``lease_until``."""

    __tablename__ = "lane_claims"

    transfer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("transfers.id"),
                                             primary_key=True)
    desk: Mapped[str] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())
    lease_until: Mapped[datetime] = mapped_column(TZ)
