"""A claimer process for the exclusivity test and the claims benchmark (spawned, so importable)."""

from __future__ import annotations

import time
from typing import Any

from app.db.engine import make_engine
from app.domain.states import Role
from app.services.claims import ClaimService


def claim_until_empty(database_url: str, worker: str, start: Any, results: Any,
                      finish_runs: bool = False, limit: int | None = None) -> None:
    """Claim transfers as ``worker`` until none is left (or ``limit`` claims); put
    ``(worker, ids, seconds)`` on ``results``. Waits on ``start`` so all begin together."""
    engine = make_engine(database_url, pool_size=1)
    service = ClaimService(engine, role=Role.BOT, lease_seconds=300)
    ids: list[int] = []
    start.wait()
    began = time.perf_counter()
    try:
        while (limit is None or len(ids) < limit) and (claim := service.claim(worker)):
            ids.append(claim.transfer.row.id)
            if finish_runs:
                service.record_outcome(claim.run_id, worker, "accepted")
    finally:
        results.put((worker, ids, time.perf_counter() - began))
        engine.dispose()
