"""The dashboard's figures over a chosen period, each one SQL aggregate (no loop over rows).

Owns the queries behind :class:`~app.domain.desk_metrics.DeskMetrics`: automation share,
notice-to-verified percentiles and histogram, verified per UTC hour, lapses (from the audit
log, which is append-only) and blocks per site. One read transaction, three statements (one
scan of the period's verified transfers). docs/metrics.md defines each figure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.domain.desk_metrics import (
    BUCKET_EDGES_MINUTES,
    Bucket,
    DeskMetrics,
    HourCount,
    NoticeToVerified,
    SiteBlocks,
)
from app.domain.errors import DomainError
from app.services.base import Service

__all__ = ["MAX_PERIOD", "DeskMetricsService"]

MAX_PERIOD = timedelta(days=366)

#: One scan of the period's verified transfers; every figure about them is an aggregate of it.
_VERIFIED = text("""
WITH v AS MATERIALIZED (
    SELECT method, verified_at,
           CASE WHEN notice_received_at IS NOT NULL AND verified_at >= notice_received_at
                THEN extract(epoch FROM verified_at - notice_received_at) / 60.0 END AS minutes
    FROM transfers WHERE verified_at >= :start AND verified_at < :end
)
SELECT
    (SELECT count(*) FROM v WHERE method = 'auto') AS auto,
    (SELECT count(*) FROM v WHERE method IS DISTINCT FROM 'auto') AS manual,
    (SELECT count(minutes) FROM v) AS waits,
    (SELECT percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP (ORDER BY minutes)
     FROM v WHERE minutes IS NOT NULL) AS pct,
    (SELECT array_agg(ARRAY[bucket, n]) FROM (
         SELECT width_bucket(minutes, CAST(:edges AS float8[])) AS bucket, count(*) AS n
         FROM v WHERE minutes IS NOT NULL GROUP BY 1) h) AS histogram,
    (SELECT array_agg(coalesce(c.n, 0) ORDER BY hours.hour)
     FROM generate_series(date_trunc('hour', CAST(:start AS timestamptz) AT TIME ZONE 'UTC'),
                          CAST(:end AS timestamptz) AT TIME ZONE 'UTC'
                              - interval '1 microsecond',
                          interval '1 hour') AS hours(hour)
     LEFT JOIN (SELECT date_trunc('hour', verified_at AT TIME ZONE 'UTC') AS hour,
                       count(*) AS n
                FROM v GROUP BY 1) c ON c.hour = hours.hour) AS per_hour
""")

_LAPSES = text("""
SELECT count(DISTINCT transfer_id) FILTER (WHERE action = 'expire') AS expired,
       count(DISTINCT transfer_id) FILTER (
           WHERE action LIKE 'escrow\\_%'
             AND coalesce(detail->>'escrow_to', detail->>'escrow_status') = 'lapsed'
       ) AS lapsed
FROM audit_log
WHERE at >= :start AND at < :end AND transfer_id IS NOT NULL
  AND (action = 'expire' OR action LIKE 'escrow\\_%')
""")

_BLOCKS = text("""
SELECT a.site_url, count(*) AS blocked_runs, count(DISTINCT a.id) AS accounts
FROM runs r JOIN transfers t ON t.id = r.transfer_id
JOIN portal_accounts a ON a.id = t.account_id
WHERE r.outcome = 'blocked' AND r.started_at >= :start AND r.started_at < :end
GROUP BY a.site_url ORDER BY blocked_runs DESC, a.site_url
""")


class DeskMetricsService(Service):
    """Read-only dashboard aggregates over a period (staff)."""

    def metrics(self, start: datetime, end: datetime) -> DeskMetrics:
        """The dashboard over [``start``, ``end``) (timezone-aware; hours are UTC hours).

        Raises:
            DomainError: naive times, an empty or reversed period, or one over 366 days.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise DomainError("the dashboard's period needs times with a timezone")
        if end <= start:
            raise DomainError("the dashboard's period must end after it starts")
        if end - start > MAX_PERIOD:
            raise DomainError(f"the dashboard covers at most {MAX_PERIOD.days} days")
        span = {"start": start.astimezone(UTC), "end": end.astimezone(UTC)}
        with self.transaction() as session:
            verified = session.execute(
                _VERIFIED, {**span, "edges": list(BUCKET_EDGES_MINUTES)}).one()
            lapses = session.execute(_LAPSES, span).one()
            blocks = session.execute(_BLOCKS, span).all()
        auto, manual = int(verified.auto), int(verified.manual)
        return DeskMetrics(
            start=span["start"], end=span["end"], verified_by_automation=auto,
            verified_by_hand=manual,
            automation_share=auto / (auto + manual) if auto + manual else None,
            notice_to_verified=_notice_to_verified(
                int(verified.waits), verified.pct,
                {int(b): int(n) for b, n in verified.histogram or ()}),
            verified_per_hour=_hours(span["start"], verified.per_hour),
            expired=int(lapses.expired), holds_lapsed=int(lapses.lapsed),
            blocks_per_site=tuple(SiteBlocks(b.site_url, int(b.blocked_runs), int(b.accounts))
                                  for b in blocks),
        )


def _hours(start: datetime, counts: list[int]) -> tuple[HourCount, ...]:
    """The per-hour counts with their UTC hours (the series the query generated)."""
    first = start.replace(minute=0, second=0, microsecond=0)
    return tuple(HourCount(first + timedelta(hours=i), int(n)) for i, n in enumerate(counts))


def _notice_to_verified(n: int, pct: list[float] | None, by_bucket: dict[int, int]
                        ) -> NoticeToVerified:
    lows = (0, *BUCKET_EDGES_MINUTES)
    highs: tuple[int | None, ...] = (*BUCKET_EDGES_MINUTES, None)
    buckets = tuple(Bucket(low, high, by_bucket.get(i, 0))
                    for i, (low, high) in enumerate(zip(lows, highs, strict=True)))
    p50, p90, p95 = (None, None, None) if not n or pct is None else (float(p) for p in pct)
    return NoticeToVerified(n, p50, p90, p95, buckets)
