"""Run the marketplace boundary beside a long-running process (the worker, the escrow loop).

Two daemon threads: the order-inbox applier (when this login may create transfers) and the
webhook deliverer (when ``[[webhooks]]`` are configured). :func:`start_boundary` returns the
function that stops both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.config import Settings
from app.credentials import CredentialStore
from app.db.engine import make_engine
from app.errors import KnownError
from app.intake.applier import InboxApplier
from app.intake.service import IntakeService
from app.webhooks.deliverer import WebhookDeliverer, resolve_endpoints

log = logging.getLogger(__name__)


def start_boundary(settings: Settings, database_url: str, credentials: CredentialStore,
                   actor_name: str = "order inbox", poll_interval: float = 5.0
                   ) -> Callable[[], None]:
    """Start the applier and (if configured) the deliverer; returns ``stop()`` (joins both)."""
    engine = make_engine(database_url, pool_size=3)
    applier = InboxApplier(IntakeService(engine, actor_name), database_url, poll_interval)
    threads = [threading.Thread(target=applier.run, name="order-inbox", daemon=True)]
    deliverer: WebhookDeliverer | None = None
    try:
        endpoints = resolve_endpoints(settings.webhooks, credentials)
    except KnownError as exc:
        log.error("webhooks not delivered: %s", exc)
        endpoints = []
    if endpoints:
        deliverer = WebhookDeliverer(engine, endpoints)
        threads.append(threading.Thread(target=deliverer.run, args=(database_url, poll_interval),
                                        name="webhooks", daemon=True))
    for thread in threads:
        thread.start()

    def stop() -> None:
        applier.stop()
        if deliverer is not None:
            deliverer.stop()
        for thread in threads:
            thread.join(timeout=poll_interval + 15)
        if deliverer is not None:
            deliverer.close()
        engine.dispose()

    return stop
