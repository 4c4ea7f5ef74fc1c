"""Least privilege per role, proven with SET ROLE on the real server; audit/evidence immutable."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from app.domain.errors import PermissionDeniedError
from app.domain.records import NewTransfer
from app.domain.states import Role
from app.evidence import EvidenceStore, Upload
from app.services.claims import ClaimService
from app.services.transfers import TransferService
from tests.integration.domain.conftest import PNG

ROLES = [r.value for r in Role]


def run_as(database_url: str, role: str, sql: str) -> None:
    """Execute ``sql`` as ``role`` in its own transaction (rolled back)."""
    with psycopg.connect(database_url) as conn:
        conn.execute(f"SET ROLE {role}")
        conn.execute(sql)
        conn.rollback()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", ["transfers", "audit_log", "evidence", "runs", "mail_messages",
                                   "workers", "alarms", "portal_accounts"])
def test_nobody_can_delete_or_truncate(database_url, role, table):
    if (table, role) != ("portal_accounts", Role.SUPERVISOR.value):  # see test_account_edit
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_as(database_url, role, f"DELETE FROM {table}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_as(database_url, role, f"TRUNCATE {table}")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_queue(database_url, role):
    run_as(database_url, role, "SELECT count(*) FROM transfers JOIN audit_log ON true")


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_cannot_be_changed_by_app_roles(database_url, engine, make_transfer, role):
    make_transfer()
    for sql in ("UPDATE audit_log SET actor_name = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_as(database_url, role, sql)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_as(database_url, role, "UPDATE evidence SET sha256 = 'x'")


def test_audit_log_append_only_even_for_the_owner(database_url, make_transfer):
    make_transfer()
    with psycopg.connect(database_url) as conn:  # the superuser/owner that ran migrations
        for sql in ("UPDATE audit_log SET actor_name = 'x'", "DELETE FROM audit_log",
                    "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)
            conn.rollback()
        # Only a deliberate maintenance switch by the owner gets through.
        conn.execute("SET LOCAL transferdesk.maintenance = 'on'")
        assert conn.execute("UPDATE audit_log SET detail = detail").rowcount == 1
        conn.rollback()


def test_audit_actor_is_the_postgres_role_plus_display_name(engine, make_transfer):
    t = make_transfer()
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT actor, actor_role, actor_name FROM audit_log WHERE transfer_id = :i"),
            {"i": t.row.id}).one()
    assert tuple(row) == ("transferdesk", "transferdesk_staff", "Dana (desk 3)")


def test_bot_cannot_create_or_decide(database_url, engine, make_transfer):
    bot = TransferService(engine, "bot", role=Role.BOT)
    with pytest.raises(PermissionDeniedError, match="transferdesk_bot"):
        bot.create(NewTransfer(order_ref="B-1", event_name="x"))
    t = make_transfer()
    with pytest.raises(PermissionDeniedError, match="manual decisions"):
        bot.manual_verify(t.row.id, t.row.version, "ok", uploads=[Upload("a.png", PNG)])
    # Even bypassing the service, the database refuses a manual decision by the bot.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="manual decisions"):
        run_as(database_url, Role.BOT.value,
               f"UPDATE transfers SET status = 'rejected' WHERE id = {t.row.id}")


def test_bot_claims_and_records_outcomes_and_evidence(engine, make_transfer):
    make_transfer(notice=True)
    claims = ClaimService(engine, role=Role.BOT)
    claim = claims.claim("bot-1")
    shot = EvidenceStore(engine, role=Role.BOT).put("screenshot", "done.png", PNG,
                                                    claim.transfer.row.id, claim.run_id)
    result = claims.record_outcome(claim.run_id, "bot-1", "accepted", evidence_ids=[shot.id])
    assert result.transfer.row.status.value == "verified"


def test_staff_cannot_reopen_or_reassign(database_url, staff, make_transfer):
    t = make_transfer()
    done = staff.manual_reject(t.row.id, t.row.version, "no", uploads=[Upload("a.png", PNG)])
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        staff.reopen(t.row.id, done.row.version, "undo")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="reopen"):
        run_as(database_url, Role.STAFF.value,
               f"UPDATE transfers SET status = 'notice_received' WHERE id = {t.row.id}")
    other = staff.create(NewTransfer(order_ref="R-2", event_name="x"))
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        staff.reassign(other.row.id, other.row.version, 1)
    with pytest.raises(PermissionDeniedError):
        staff.add_account("paciolan", "https://x.example", "u")


def test_supervisor_is_staff_too(supervisor):
    t = supervisor.create(NewTransfer(order_ref="S-1", event_name="x"))
    done = supervisor.manual_verify(t.row.id, t.row.version, "seen",
                                    uploads=[Upload("a.png", PNG)])
    assert done.method == "manual"
