"""Figures for the desk's dashboard: verified per day, notice-to-verified time, run outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, cast, extract, func, select

from app.db.models import Run, Transfer
from app.domain.errors import DomainError
from app.domain.records import DashboardStats
from app.domain.states import Outcome, Status
from app.services.base import Service

MAX_DAYS = 366


class StatsService(Service):
    """Read-only aggregates for the dashboard (one transaction, three small queries)."""

    def dashboard(self, days: int = 14, now: datetime | None = None) -> DashboardStats:
        """Figures for the ``days`` UTC days ending today (``now`` for tests).

        Verified per day counts transfers by the UTC day of ``verified_at`` (every day present,
        zeros included); the median runs over transfers verified in the window that had a
        notice; outcomes count finished runs that started in the window, by outcome.

        Raises:
            DomainError: ``days`` outside 1..366.
        """
        if not 1 <= days <= MAX_DAYS:
            raise DomainError(f"the dashboard covers 1 to {MAX_DAYS} days, not {days}")
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        first_day = moment.date() - timedelta(days=days - 1)
        since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
        day = cast(func.timezone("UTC", Transfer.verified_at), Date)
        minutes = extract("epoch", Transfer.verified_at - Transfer.notice_received_at) / 60.0
        in_window = (Transfer.verified_at >= since, Transfer.verified_at <= moment)
        with self.transaction() as session:
            per_day: dict[date, int] = {
                d: int(n) for d, n in session.execute(
                    select(day, func.count()).where(*in_window).group_by(day))
            }
            median = session.scalar(
                select(func.percentile_cont(0.5).within_group(minutes))
                .where(*in_window, Transfer.notice_received_at.is_not(None)))
            outcomes = {
                Outcome(str(kind)): int(n) for kind, n in session.execute(
                    select(Run.outcome, func.count())
                    .where(Run.started_at >= since, Run.started_at <= moment,
                           Run.outcome.is_not(None))
                    .group_by(Run.outcome).order_by(Run.outcome))
            }
            counts = dict.fromkeys(Status, 0)
            for status, n in session.execute(
                    select(Transfer.status, func.count()).group_by(Transfer.status)):
                counts[Status(status)] = int(n)
        calendar = [first_day + timedelta(days=i) for i in range(days)]
        series = tuple((d, per_day.get(d, 0)) for d in calendar)
        return DashboardStats(days, series, None if median is None else float(median), outcomes,
                              counts)
