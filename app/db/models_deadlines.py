"""ORM models of the deadline sweeper: warnings raised once, and the last sweep (migration 0006)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

TZ = DateTime(timezone=True)
#: The deadlines a warning can be about (see :class:`app.domain.deadlines.DeadlineKind`).
DEADLINE_KINDS = ("accept_by", "event_start", "hold_expiry")


class DeadlineWarning(Base):
    """One warning raised for one transfer, deadline kind and lead time (never twice)."""

    __tablename__ = "deadline_warnings"
    __table_args__ = (
        UniqueConstraint("transfer_id", "deadline_kind", "lead_seconds",
                         name="uq_deadline_warnings_once"),
        CheckConstraint("deadline_kind IN ('accept_by', 'event_start', 'hold_expiry')",
                        name="deadline_kind"),
        CheckConstraint("lead_seconds > 0", name="lead_seconds"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    transfer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("transfers.id"))
    deadline_kind: Mapped[str] = mapped_column(Text)
    lead_seconds: Mapped[int] = mapped_column(Integer)
    deadline_at: Mapped[datetime] = mapped_column(TZ)
    raised_at: Mapped[datetime] = mapped_column(TZ, server_default=func.now())
    raised_by: Mapped[str] = mapped_column(Text, server_default="")
    alarm_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("alarms.id"))


class DeadlineSweep(Base):
    """The single row recording the last completed sweep (a desk sweeps only when it is old)."""

    __tablename__ = "deadline_sweep"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    swept_at: Mapped[datetime | None] = mapped_column(TZ)
    swept_by: Mapped[str] = mapped_column(Text, server_default="")
    expired: Mapped[int] = mapped_column(Integer, server_default="0")
    warned: Mapped[int] = mapped_column(Integer, server_default="0")
