"""Resolve the database URL (configured or embedded) and build SQLAlchemy engines."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from app.config import Settings
from app.database_url import with_password
from app.db.local_cluster import LocalCluster, cluster_dir_for
from app.errors import KnownError

logger = logging.getLogger(__name__)

#: A pooled connection returned less than this long ago is handed out without a liveness ping
#: (HikariCP's ``aliveBypassWindow`` is the same idea, 500 ms); an older one is pinged first.
PING_AFTER_IDLE_SECONDS = 0.5


def local_cluster(settings: Settings) -> LocalCluster:
    """The embedded cluster for these settings (not started)."""
    return LocalCluster(cluster_dir_for(settings.data_dir))


def resolve_database_url(settings: Settings, start_embedded: bool = True) -> str:
    """Return the libpq URL to use, starting the embedded cluster on demand.

    A configured URL gets its login's password from the keyring's database slot
    (``database:<user>``), in memory only; show it only through :func:`app.database_url.mask_url`.

    Raises:
        ClusterError / DependencyMissingError: the embedded cluster cannot run.
    """
    if settings.database_url:
        return with_keyring_password(settings.database_url)
    cluster = local_cluster(settings)
    if start_embedded:
        cluster.start()
    return cluster.url()


def with_keyring_password(url: str) -> str:
    """``url`` plus the password stored for its user over TCP, if the keyring holds one.

    A socket URL (no host) or no stored password leaves it as is; an unusable keyring too
    (the server then says what is missing), logged at debug level.
    """
    parts = urlsplit(url)
    if not parts.username or not parts.hostname:
        return url
    from app.credentials import CredentialStore, database_key

    try:
        password = CredentialStore().get(database_key(parts.username))
    except KnownError as exc:
        logger.debug("no database password from the keyring: %s", exc)
        return url
    return with_password(url, password) if password else url


def sqlalchemy_url(url: str) -> str:
    """Turn a libpq URL (``postgresql://``) into SQLAlchemy's psycopg 3 dialect URL."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_url(url: str) -> str:
    """Inverse of :func:`sqlalchemy_url`: a URL psycopg / psql accept directly."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def embedded_cluster_of(url: str) -> LocalCluster | None:
    """The embedded cluster a URL points at (its socket dir ``<cluster>/run``), else None."""
    if os.name == "nt":
        return None
    host = dict(parse_qsl(urlsplit(url).query)).get("host", "")
    socket_dir = Path(host) if host.startswith("/") else None
    if socket_dir is None or socket_dir.name != "run":
        return None
    cluster = LocalCluster(socket_dir.parent)
    return cluster if (cluster.data / "PG_VERSION").exists() else None


def current_url(url: str) -> str:
    """``url`` with the embedded cluster's current port (restarted on another one).

    Other URLs, and the URL of a cluster that is not running, come back unchanged (connecting
    then fails as usual and the caller retries).
    """
    cluster = embedded_cluster_of(url)
    port = cluster.status().port if cluster is not None else None
    if port is None:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if query.get("port") == str(port):
        return url
    query["port"] = str(port)
    return urlunsplit(parts._replace(query=urlencode(query)))


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """A pooled synchronous engine that survives a restarted server: a connection idle for
    :data:`PING_AFTER_IDLE_SECONDS` or more is pinged at checkout and replaced when dead
    (``pool_pre_ping`` for idle ones only; one round trip less per unit of work in a busy loop).

    On the embedded cluster every new connection re-reads the cluster's port, so a long-running
    process reconnects after ``db local stop``/``start`` even when the port changed.
    """
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        future=True,
    )
    _ping_when_idle(engine)
    cluster = embedded_cluster_of(url)
    if cluster is not None:
        event.listen(engine, "do_connect", _current_port_of(cluster))
    return engine


_RETURNED_AT = "transferdesk_returned_at"


def _ping_when_idle(engine: Engine) -> None:
    """Ping a checked-out connection only when it sat in the pool a while (SQLAlchemy's
    "custom pessimistic ping": raising DisconnectionError makes the pool take a new one)."""

    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)  # None: connected just now
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", ping_if_idle)


def _current_port_of(cluster: LocalCluster) -> Any:
    def use_current_port(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        port = cluster.status().port
        if port is not None:
            cparams["port"] = str(port)

    return use_current_port
