"""Per-site circuit breakers: count ``blocked`` runs, open a shared pause, close it.

The breaker of a site (``portal_accounts.site_url``) opens after ``policy.blocks`` blocked runs
within ``policy.window``; while ``open_until`` lies ahead the claim (the database function
``transferdesk_claim``, migration 0014) hands out none of the site's transfers, nor those of an
``assisted`` or retired account, to every desk and worker. After the cooldown the site is tried
again ("half-open"): one more block reopens it at once, one success closes it. A supervisor may
close it early. Opening raises an alarm ``site_blocked`` (key: the site) naming the site and
when automation will be tried again; closing resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.db.models import Alarm, PortalAccount
from app.db.models_breakers import SiteBreaker
from app.domain.states import SUCCESS_OUTCOMES, Outcome
from app.repositories import records

ALARM_KIND = "site_blocked"


@dataclass(frozen=True)
class BreakerPolicy:
    """When a site's breaker opens and how long it stays open (settings ``breaker_*``)."""

    blocks: int = 3
    window: timedelta = timedelta(minutes=10)
    cooldown: timedelta = timedelta(minutes=30)

    @classmethod
    def of(cls, blocks: int, window_minutes: float, cooldown_minutes: float) -> BreakerPolicy:
        """A policy from the settings' numbers."""
        return cls(blocks, timedelta(minutes=window_minutes), timedelta(minutes=cooldown_minutes))


def site_of_account(session: Session, account_id: int | None) -> str | None:
    """The site URL of a portal account (None for none)."""
    if account_id is None:
        return None
    return session.scalar(select(PortalAccount.site_url).where(PortalAccount.id == account_id))


def _locked(session: Session, site_url: str) -> SiteBreaker:
    session.execute(pg_insert(SiteBreaker).values(site_url=site_url)
                    .on_conflict_do_nothing(index_elements=[SiteBreaker.site_url]))
    stmt = select(SiteBreaker).where(SiteBreaker.site_url == site_url).with_for_update()
    return session.scalars(stmt, execution_options={"populate_existing": True}).one()


def after_run(session: Session, account_id: int | None, outcome: Outcome,
              policy: BreakerPolicy, by: str, detail: str) -> None:
    """Feed a finished run to its site's breaker (same transaction as the outcome)."""
    if outcome is not Outcome.BLOCKED and outcome not in SUCCESS_OUTCOMES:
        return
    site_url = site_of_account(session, account_id)
    if site_url is None:
        return
    if outcome is Outcome.BLOCKED:
        record_block(session, site_url, policy, detail)
    else:
        record_success(session, site_url, by)


def why_not_automatable(session: Session, account_id: int | None) -> str | None:
    """Why the account's transfers are not handed to automation now, or None."""
    if account_id is None:
        return None
    account = session.get(PortalAccount, account_id)
    if account is None:
        return None
    if account.automation_mode == "assisted":
        return f"portal account {account.username} is assisted (a person accepts its transfers)"
    row = session.get(SiteBreaker, account.site_url)
    if row is not None and row.open_until is not None:
        now: datetime = session.execute(select(func.now())).scalar_one()
        if row.open_until > now:
            return alarm_message(account.site_url, row, "").split(";")[0] + \
                f"; automation paused until {row.open_until.astimezone(UTC):%H:%M UTC}"
    return None


def record_block(session: Session, site_url: str, policy: BreakerPolicy, detail: str
                 ) -> SiteBreaker:
    """Count one ``blocked`` run of the site; open (or reopen) its breaker when due."""
    row = _locked(session, site_url)
    now: datetime = session.execute(select(func.now())).scalar_one()
    recent = [t for t in row.recent_blocks if t > now - policy.window] + [now]
    half_open = row.opened_at is not None and row.closed_at is None
    if len(recent) >= policy.blocks or half_open:
        reason = (f"{len(recent)} blocked run(s) within {_minutes(policy.window)}"
                  if not half_open else "blocked again after the pause")
        row.opened_at, row.open_until, row.reason = now, now + policy.cooldown, reason
        row.closed_at = row.closed_by = None
        records.raise_alarm(session, ALARM_KIND, site_url, alarm_message(site_url, row, detail))
    row.recent_blocks, row.updated_at = recent, now
    return row


def record_success(session: Session, site_url: str, by: str) -> bool:
    """A run on the site succeeded: forget its blocks, close an open breaker (True if it was)."""
    row = session.scalars(select(SiteBreaker).where(SiteBreaker.site_url == site_url)
                          .with_for_update()).one_or_none()
    if row is None or (not row.recent_blocks and row.opened_at is None):
        return False
    was_open = row.opened_at is not None and row.closed_at is None
    row.recent_blocks = []
    if was_open:
        _close(session, row, f"{by} (a run succeeded)")
    return was_open


def close(session: Session, site_url: str, by: str) -> SiteBreaker | None:
    """End the pause now (a supervisor); None when the site has no open breaker."""
    row = session.scalars(select(SiteBreaker).where(SiteBreaker.site_url == site_url)
                          .with_for_update()).one_or_none()
    if row is None or row.opened_at is None or row.closed_at is not None:
        return None
    row.recent_blocks = []
    _close(session, row, by)
    return row


def _close(session: Session, row: SiteBreaker, by: str) -> None:
    row.opened_at = row.open_until = None
    row.closed_at, row.closed_by = func.now(), by
    row.updated_at = func.now()
    session.execute(update(Alarm).where(Alarm.kind == ALARM_KIND, Alarm.key == row.site_url,
                                        Alarm.resolved_at.is_(None))
                    .values(resolved_at=func.now(), resolved_by=by))


def open_breakers(session: Session) -> list[SiteBreaker]:
    """Every open breaker (paused or half-open), the soonest retry first."""
    stmt = (select(SiteBreaker).where(SiteBreaker.opened_at.is_not(None),
                                      SiteBreaker.closed_at.is_(None))
            .order_by(SiteBreaker.open_until))
    return list(session.scalars(stmt))


def alarm_message(site_url: str, row: SiteBreaker, detail: str) -> str:
    """What every desk shows: the site, why, and when automation is tried again."""
    until = (row.open_until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
             if row.open_until else "now")
    why = f" Last: {detail}" if detail else ""
    return (f"{site_url} refuses automated browsers ({row.reason}): automation of this site is "
            f"paused until {until}; its transfers wait for a person (assisted lane) or for "
            f"a supervisor to resume (`transferdesk sites resume {site_url}`).{why}")


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min"
