"""Mail templates taught from the desk: per sender domain, versioned, shared by every process."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Identity,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class MailTemplate(Base):
    """One version of a taught template: field -> regex (anchors and patterns, no values).

    A save inserts the next version of its domain; only ``enabled`` ever changes afterwards
    (disable). Who and when are the session's (``created_by``) and the desk's display name.
    """

    __tablename__ = "mail_templates"
    __table_args__ = (
        UniqueConstraint("domain", "version", name="uq_mail_templates_domain_version"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    domain: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(Text, server_default="paciolan")
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    note: Mapped[str] = mapped_column(Text, server_default="")
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[str] = mapped_column(Text, server_default=text("current_user"))
    created_by_name: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
