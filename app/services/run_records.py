"""A finished run's evidence and outcome, stored in one transaction, idempotently.

Each evidence item of a run carries a key (``<run key>/<kind>/<file name>``, unique in the
database): a replay of a record whose commit did happen (the reply was lost, the record went to
the journal) inserts nothing twice, and a run already closed with the same outcome by the same
worker is answered as recorded instead of refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db.models import Evidence
from app.domain.errors import EvidenceError, LeaseLostError, UnknownValueError
from app.domain.records import RunResult
from app.domain.states import Outcome
from app.evidence import DEFAULT_MAX_BYTES, validate
from app.repositories import claims as claim_repo
from app.repositories import mapping
from app.repositories import transfers as transfer_repo
from app.services.claims import ClaimService

log = logging.getLogger(__name__)
ALREADY_RECORDED = "already_recorded"


@dataclass(frozen=True)
class RunEvidence:
    """One screenshot or trace of a run, with the key that makes its insert idempotent."""

    key: str
    kind: str
    filename: str
    content: bytes = field(repr=False)


class RunRecordService:
    """Store a run's evidence and close the run in one transaction.

    Args:
        claims: the claim service (its role, actor name and max_attempts apply).
        max_bytes: the evidence size limit.
    """

    def __init__(self, claims: ClaimService, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.claims = claims
        self.max_bytes = max_bytes

    def record(self, run_id: int, worker: str, outcome: Outcome | str, detail: str,
               evidence: Sequence[RunEvidence] = ()) -> RunResult:
        """Store ``evidence`` (each key once) and the outcome, all or nothing.

        Evidence the limits refuse (empty, too big, wrong type) is left out with a warning:
        the outcome itself is never lost for it.

        Raises:
            UnknownValueError: not an :class:`Outcome`.
            LeaseLostError: the run is no longer this worker's (and was not closed with this
                outcome by it).
        """
        try:
            result = Outcome(outcome)
        except ValueError:
            raise UnknownValueError("outcome", outcome, [o.value for o in Outcome]) from None
        valid = [item for item in evidence if self._acceptable(item)]
        with self.claims.transaction() as session:
            run = claim_repo.get_run(session, run_id, lock=True)
            if run is None:
                raise LeaseLostError(0, worker)
            ids = [self._insert_once(session, item, run.transfer_id, run_id) for item in valid]
            trace_id = next((i for i, e in zip(ids, valid, strict=True) if e.kind == "trace"),
                            None)
            others = [i for i in ids if i != trace_id]
            if run.finished_at is not None and run.worker == worker \
                    and run.outcome == result.value:
                transfer = transfer_repo.get(session, run.transfer_id)
                return RunResult(mapping.transfer_full(transfer), mapping.run_record(run),
                                 ALREADY_RECORDED)
            return self.claims.close_run(session, run_id, worker, result, detail, others,
                                         trace_id)

    def evidence_ids(self, run_id: int) -> dict[str, int]:
        """The evidence stored for run ``run_id``: file name -> evidence id."""
        with self.claims.transaction() as session:
            rows = session.execute(
                select(Evidence.filename, Evidence.id).where(Evidence.run_id == run_id))
            return {name: evidence_id for name, evidence_id in rows}

    def _acceptable(self, item: RunEvidence) -> bool:
        try:
            validate(item.kind, item.filename, item.content, self.max_bytes)
        except EvidenceError as exc:
            log.warning("run evidence %s left out: %s", item.filename, exc)
            return False
        return True

    def _insert_once(self, session: Session, item: RunEvidence, transfer_id: int,
                     run_id: int) -> int:
        values = validate(item.kind, item.filename, item.content, self.max_bytes)
        inserted: int | None = session.scalar(
            insert(Evidence)
            .values(**values, transfer_id=transfer_id, run_id=run_id, evidence_key=item.key,
                    created_by_name=self.claims.actor_name)
            .on_conflict_do_nothing(index_elements=[Evidence.evidence_key])
            .returning(Evidence.id)
        )
        if inserted is not None:
            return inserted
        existing: int | None = session.scalar(
            select(Evidence.id).where(Evidence.evidence_key == item.key))
        assert existing is not None  # the conflicting row is committed and never deleted
        return existing
