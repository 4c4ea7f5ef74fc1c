"""A real transfer's history, as the detail pane's timeline reads it: sentences, oldest first."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from app.domain.records import TransferFull
from app.evidence import Upload
from app.services.claims import ClaimService
from app.services.queue import QueueService
from app.services.run_records import RunEvidence, RunRecordService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import PNG

WORKER = "vm-2:4121:ab12cd"


def test_timeline_of_a_real_transfer_reads_as_sentences(
    staff: TransferService, bot_claims: ClaimService, queue: QueueService,
    make_transfer: Callable[..., TransferFull],
) -> None:
    created = make_transfer(notice=True, section="1A", row="12", seats=("7", "8"),
                            seller_name="Kelly Marsh")
    first = bot_claims.claim(WORKER, transfer_id=created.row.id)
    assert first is not None
    bot_claims.record_outcome(first.run_id, WORKER, "portal_error", "HTTP 503")
    second = bot_claims.claim(WORKER, transfer_id=created.row.id)
    assert second is not None
    RunRecordService(bot_claims).record(second.run_id, WORKER, "wrong_tickets",
                                        "seats 9-10 shown",
                                        [RunEvidence(f"{second.run_id}/shot", "screenshot",
                                                     "my-account.png", PNG)])
    now = datetime.now(UTC)
    staff.record_takeover(created.row.id, now - timedelta(seconds=95), now, "handed_back")
    current = queue.get(created.row.id)
    staff.manual_verify(created.row.id, current.row.version, "seats 7-8 seen in My Account",
                        uploads=[Upload("portal.png", PNG)])

    lines = [item.summary for item in queue.detail(created.row.id).timeline]

    assert lines[0] == "Order added by Dana (desk 3)"
    assert "Notice matched: Kelly Marsh, Sec 1A Row 12, seats 7–8 (portal ref abc)" in lines
    assert lines.count("Claimed by the worker on vm-2") == 1
    assert "Claimed by the worker on vm-2 (attempt 2)" in lines
    assert "Will try again: portal error (attempt 1)" in lines
    assert any(re.fullmatch(r"Portal error by the worker on vm-2 in \d+\.\d s", line)
               for line in lines)
    assert "Needs review: wrong tickets seen (seats 9-10 shown)" in lines
    assert "Dana (desk 3) took over the browser for 1 min 35 s and handed it back" in lines
    assert "Manual decision: verified by Dana (desk 3) (note: seats 7-8 seen in My Account)" \
        in lines
    assert any(line.startswith("Screenshot my-account.png (") for line in lines)
    assert any(line.startswith("File portal.png (") and "by Dana (desk 3)" in line
               for line in lines)
    for line in lines:
        assert "None" not in line and "->" not in line, line
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", line), line  # no internal names
