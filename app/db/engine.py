"""Resolve the database URL (configured or embedded) and build SQLAlchemy engines."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from app.config import Settings
from app.db.local_cluster import LocalCluster, cluster_dir_for


def local_cluster(settings: Settings) -> LocalCluster:
    """The embedded cluster for these settings (not started)."""
    return LocalCluster(cluster_dir_for(settings.data_dir))


def resolve_database_url(settings: Settings, start_embedded: bool = True) -> str:
    """Return the libpq URL to use, starting the embedded cluster on demand.

    Raises:
        ClusterError / DependencyMissingError: the embedded cluster cannot run.
    """
    if settings.database_url:
        return settings.database_url
    cluster = local_cluster(settings)
    if start_embedded:
        cluster.start()
    return cluster.url()


def sqlalchemy_url(url: str) -> str:
    """Turn a libpq URL (``postgresql://``) into SQLAlchemy's psycopg 3 dialect URL."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_url(url: str) -> str:
    """Inverse of :func:`sqlalchemy_url`: a URL psycopg / psql accept directly."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """A pooled synchronous engine; ``pool_pre_ping`` survives a restarted server."""
    return create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        future=True,
    )
