"""ORM models (typed SQLAlchemy 2). The domain tables arrive with the data-and-domain work."""

from app.db.base import Base

__all__ = ["Base"]
