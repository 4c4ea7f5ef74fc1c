"""Durable run outcomes: when the database is unreachable, keep them on disk and replay later.

A finished run that cannot be recorded (database down, network gone) is written here, in
``<data dir>/journal/``, one JSON file per run plus its evidence files, each written atomically.
:meth:`OutcomeJournal.replay` records them once the database is back. An entry that the
database refuses for another reason moves to ``journal/refused/`` and is logged loudly: an
accepted transfer is never forgotten.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of run evidence (a screenshot or a trace)."""

    kind: str
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class FinishedRun:
    """Everything needed to record one finished run in the database."""

    run_key: str
    run_id: int
    transfer_id: int
    worker: str
    outcome: str
    detail: str
    started_at: datetime
    finished_at: datetime
    evidence: tuple[EvidenceItem, ...] = ()
    site_url: str = ""

    def to_json(self) -> str:
        """Serialise (bytes as base64, times as ISO 8601)."""
        data: dict[str, Any] = asdict(self)  # Any: JSON values of every field type
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat()
        data["evidence"] = [
            {**asdict(item), "content": base64.b64encode(item.content).decode("ascii")}
            for item in self.evidence
        ]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> FinishedRun:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        evidence = tuple(
            EvidenceItem(e["kind"], e["filename"], e["content_type"],
                         base64.b64decode(e["content"]))
            for e in data.pop("evidence")
        )
        return cls(
            **{
                **data,
                "started_at": datetime.fromisoformat(data["started_at"]),
                "finished_at": datetime.fromisoformat(data["finished_at"]),
                "evidence": evidence,
            }
        )


@dataclass(frozen=True)
class ReplayResult:
    """What one :meth:`OutcomeJournal.replay` pass did."""

    replayed: int
    refused: int
    remaining: int


class OutcomeJournal:
    """A directory of finished runs waiting for the database.

    Args:
        directory: the journal directory (created on first write, mode 0700).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.refused_dir = directory / "refused"

    def write(self, record: FinishedRun) -> Path:
        """Store ``record`` durably (fsync'd, atomic rename) and return its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        stamp = record.finished_at.strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{record.run_key}.json"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(record.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        log.warning(
            "database unreachable: outcome %s of transfer %s kept in the local journal",
            record.outcome, record.transfer_id,
        )
        return path

    def pending(self) -> list[Path]:
        """Journal files waiting to be replayed, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.json"))

    def replay(
        self,
        record: Callable[[FinishedRun], None],
        is_unreachable: Callable[[BaseException], bool],
    ) -> ReplayResult:
        """Record every pending entry with ``record``; stop at the first connectivity error.

        Args:
            record: writes one run record to the database (raises on failure).
            is_unreachable: tells a connectivity failure (keep, retry later) from a refusal.
        """
        if not self.directory.is_dir():
            return ReplayResult(0, 0, 0)
        with open(self.directory / ".lock", "a+") as lock:
            if sys.platform != "win32":  # one replayer at a time across processes
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return ReplayResult(0, 0, len(self.pending()))
            return self._replay_locked(record, is_unreachable)

    def _replay_locked(
        self,
        record: Callable[[FinishedRun], None],
        is_unreachable: Callable[[BaseException], bool],
    ) -> ReplayResult:
        replayed = refused = 0
        pending = self.pending()
        for index, path in enumerate(pending):
            try:
                entry = FinishedRun.from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError, TypeError):
                log.error("journal entry %s is unreadable; moved to %s", path, self.refused_dir)
                self._refuse(path)
                refused += 1
                continue
            try:
                record(entry)
            except Exception as exc:
                if is_unreachable(exc):
                    return ReplayResult(replayed, refused, len(pending) - index)
                log.error(
                    "journal: the database refused outcome %s of transfer %s (%s); kept in %s",
                    entry.outcome, entry.transfer_id, exc, self.refused_dir,
                )
                self._refuse(path)
                refused += 1
                continue
            path.unlink()
            replayed += 1
        return ReplayResult(replayed, refused, 0)

    def _refuse(self, path: Path) -> None:
        self.refused_dir.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.refused_dir / path.name)
