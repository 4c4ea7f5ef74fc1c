"""The dashboard window over real verifications and runs in PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import Engine

from app.desk.service_backend import ServiceBackend
from app.evidence import Upload
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from tests.ui.conftest import seed_transfers
from ui.dashboard import DAYS, DashboardWindow, format_minutes
from ui.db_executor import ServiceExecutor, TaskGroup

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_format_minutes() -> None:
    assert format_minutes(None) == "no data"
    assert format_minutes(12.4) == "12 m"
    assert format_minutes(65) == "1 h 05 m"


def test_dashboard_shows_verified_median_and_outcomes(
    qtbot: QtBot, run: Callable[..., Any], engine: Engine, backend: ServiceBackend,
    account_id: int,
) -> None:
    first, second, _waiting = seed_transfers(engine, 3, account_id)
    staff = TransferService(engine, "Dana")
    for transfer_id, minutes in ((first, 20), (second, 40)):
        noticed = staff.mark_notice_received(
            transfer_id, accept_url="https://portal.example/a", transfer_ref="t",
            accept_by=None, received_at=datetime.now(UTC) - timedelta(minutes=minutes))
        if transfer_id == first:
            staff.manual_verify(transfer_id, noticed.row.version, "checked",
                                uploads=[Upload("p.png", PNG)])
        else:
            claims = ClaimService(engine)
            claim = claims.claim("bot-1", transfer_id=transfer_id)
            assert claim is not None
            claims.record_outcome(claim.run_id, "bot-1", "accepted")
    executor = ServiceExecutor(1)
    window = DashboardWindow(backend, executor, TaskGroup())
    qtbot.addWidget(window)
    run(window.reload())
    executor.shutdown(wait=True)

    assert len(window.verified_per_day) == DAYS
    assert window.verified_per_day[-1] == (datetime.now(UTC).date(), 2)
    bars = window.verified_chart.series()[0].barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [0.0] * (DAYS - 1) + [2.0]
    assert window.outcomes == {"accepted": 1}
    assert window.outcome_chart.axes()[0].categories() == ["accepted"]
    assert "30 m" in window.median_label.text()  # median of ~20 and ~40 minutes
    assert "<b>2</b> verified in 14 days" in window.summary.text()
    assert window.counts["awaiting_notice"] == 1


def test_demo_data_fills_every_day_with_a_realistic_median(
    qtbot: QtBot, run: Callable[..., Any], database_url: str, backend: ServiceBackend,
) -> None:
    from automation.demo.transfers import insert_demo

    insert_demo(database_url, 600, seed=5)
    executor = ServiceExecutor(1)
    window = DashboardWindow(backend, executor, TaskGroup())
    qtbot.addWidget(window)
    run(window.reload())
    executor.shutdown(wait=True)

    per_day = [n for _, n in window.verified_per_day]
    assert sum(per_day) == window.counts["verified"] > 100, "every verification is in the window"
    assert sum(1 for n in per_day if n) >= DAYS - 1, "spread over the days, not all on one"
    assert max(per_day) < 0.3 * sum(per_day)
    median = window.median_label.text()
    assert re.search(r"<b>(\d+ m|[12] h \d\d m)</b>", median), median  # minutes, not days
