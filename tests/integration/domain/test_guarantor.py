"""The database is the guarantor (migration 0008), proven with real login roles.

Each login is a cluster role with LOGIN granted one of the app's roles, as the README tells a
team to set it up; statements go straight to the server (psql-like), bypassing the services.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg.types.json import Jsonb

from app.domain.errors import DomainError, EvidenceError
from app.domain.states import Role
from app.evidence import EvidenceStore, Upload
from app.services.claims import ClaimService
from tests.integration.domain.conftest import PNG

LOGINS = {Role.STAFF: "td_login_dana", Role.SUPERVISOR: "td_login_sam", Role.BOT: "td_login_bot"}


def login_url(database_url: str, login: str) -> str:
    """``database_url`` with ``login`` as the user (trust auth on the private socket)."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(netloc=f"{login}@{parts.hostname or ''}"
                                     + (f":{parts.port}" if parts.port else "")))


@pytest.fixture
def logins(database_url: str) -> dict[Role, str]:
    """A libpq URL per app role, each for a LOGIN role granted that role."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for role, login in LOGINS.items():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {login} LOGIN IN ROLE {role.value}")
    return {role: login_url(database_url, login) for role, login in LOGINS.items()}


def as_login(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    """Run ``sql`` in one committed transaction as the login of ``url``; its rows."""
    with psycopg.connect(url) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def audit_rows(database_url: str, transfer_id: int) -> list[tuple[Any, ...]]:
    """(action, from, to, actor, actor_role, actor_name) of a transfer's audit rows."""
    return as_login(database_url, "SELECT action, from_status, to_status, actor, actor_role,"
                    " actor_name FROM audit_log WHERE transfer_id = %s ORDER BY id",
                    (transfer_id,))


def test_a_bot_login_cannot_forge_the_audit_actor_or_time(database_url, logins, make_transfer):
    t = make_transfer()
    as_login(logins[Role.BOT], "INSERT INTO audit_log (at, actor, actor_role, actor_name,"
             " transfer_id, action) VALUES ('2020-03-01', 'sam', 'transferdesk_supervisor',"
             " 'Sam (supervisor)', %s, 'manual_verify')", (t.row.id,))
    at, actor, role = as_login(database_url, "SELECT at, actor, actor_role FROM audit_log"
                               " WHERE action = 'manual_verify'")[0]
    assert (actor, role) == (LOGINS[Role.BOT], Role.BOT.value)
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=5)


def test_the_display_name_comes_from_the_session_setting(database_url, logins, make_transfer):
    t = make_transfer()
    with psycopg.connect(logins[Role.STAFF]) as conn:
        conn.execute("SELECT set_config('transferdesk.actor_name', 'Dana', true)")
        conn.execute("INSERT INTO audit_log (actor_name, transfer_id, action)"
                     " VALUES ('Sam (supervisor)', %s, 'note')", (t.row.id,))
    assert audit_rows(database_url, t.row.id)[-1][-1] == "Dana"
    # The services set it: the create row carries the service's display name.
    assert audit_rows(database_url, t.row.id)[0][-1] == "Dana (desk 3)"


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOT])
def test_a_raw_status_update_writes_its_audit_row(database_url, logins, make_transfer, role):
    t = make_transfer(notice=True)
    as_login(logins[role], "UPDATE transfers SET status = 'verified', verified_by = 'me',"
             " method = 'auto', verified_at = now() WHERE id = %s", (t.row.id,))
    action, before, after, actor, actor_role, _ = audit_rows(database_url, t.row.id)[-1]
    assert (action, before, after) == ("direct_update", "notice_received", "verified")
    assert (actor, actor_role) == (LOGINS[role], role.value)


def test_needs_review_to_verified_by_a_bot_login_is_audited(database_url, logins, make_transfer,
                                                             bot_claims):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("bot-1", transfer_id=t.row.id)
    bot_claims.record_outcome(claim.run_id, "bot-1", "wrong_tickets")
    as_login(logins[Role.BOT], "UPDATE transfers SET status = 'verified' WHERE id = %s",
             (t.row.id,))
    assert audit_rows(database_url, t.row.id)[-1][:3] == (
        "direct_update", "needs_review", "verified")


def test_a_raw_accept_link_or_decision_change_is_audited(database_url, logins, make_transfer):
    t = make_transfer(notice=True)
    as_login(logins[Role.BOT], "UPDATE transfers SET accept_url = 'https://evil.example/a'"
             " WHERE id = %s", (t.row.id,))
    detail = as_login(database_url, "SELECT detail FROM audit_log WHERE transfer_id = %s"
                      " ORDER BY id DESC LIMIT 1", (t.row.id,))[0][0]
    assert detail == {"source": "database", "columns": ["accept_url"]}


def test_a_raw_insert_of_a_transfer_is_audited(database_url, logins):
    (new_id,), = as_login(logins[Role.STAFF], "INSERT INTO transfers (order_ref, event_name)"
                          " VALUES ('RAW-1', 'e') RETURNING id")
    assert audit_rows(database_url, new_id) == [
        ("direct_insert", None, "awaiting_notice", LOGINS[Role.STAFF], Role.STAFF.value, "")]


def test_the_services_rows_are_not_duplicated(database_url, make_transfer, bot_claims, staff,
                                              queue):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("bot-1", transfer_id=t.row.id)
    bot_claims.record_outcome(claim.run_id, "bot-1", "wrong_tickets")
    current = queue.get(t.row.id)
    staff.manual_reject(t.row.id, current.row.version, "wrong seats",
                        uploads=[Upload("seats.png", PNG)])
    actions = [row[0] for row in audit_rows(database_url, t.row.id)]
    assert actions == ["create", "notice_matched", "claim", "run_needs_review", "manual_reject"]


def finished_run(make_transfer: Callable[..., Any], claims: ClaimService) -> int:
    """The id of a run that ended ``wrong_tickets``."""
    t = make_transfer(notice=True)
    claim = claims.claim("bot-1", transfer_id=t.row.id)
    claims.record_outcome(claim.run_id, "bot-1", "wrong_tickets")
    return claim.run_id


@pytest.mark.parametrize("role", list(LOGINS))
def test_a_runs_outcome_is_written_once(logins, make_transfer, bot_claims, role):
    run_id = finished_run(make_transfer, bot_claims)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="written once"):
        as_login(logins[role], "UPDATE runs SET outcome = 'accepted' WHERE id = %s", (run_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="cannot change"):
        as_login(logins[role], "UPDATE runs SET worker = 'bot-2' WHERE id = %s", (run_id,))


def test_an_open_run_gets_its_outcome_once(logins, make_transfer, bot_claims):
    t = make_transfer(notice=True)
    claim = bot_claims.claim("bot-1", transfer_id=t.row.id)
    as_login(logins[Role.BOT], "UPDATE runs SET outcome = 'timeout' WHERE id = %s",
             (claim.run_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="already ended timeout"):
        as_login(logins[Role.BOT], "UPDATE runs SET outcome = NULL WHERE id = %s",
                 (claim.run_id,))


def test_the_owner_may_correct_a_run_only_in_maintenance(database_url, make_transfer, bot_claims):
    run_id = finished_run(make_transfer, bot_claims)
    with psycopg.connect(database_url) as conn:
        conn.execute("SET LOCAL transferdesk.maintenance = 'on'")
        conn.execute("UPDATE runs SET outcome = 'aborted' WHERE id = %s", (run_id,))


@pytest.fixture
def mail_row(database_url: str, evidence: EvidenceStore) -> int:
    """A matched mail row with a parsed accept link and its evidence."""
    shot = evidence.put("screenshot", "a.png", PNG)
    (row_id,), = as_login(
        database_url, "INSERT INTO mail_messages (message_key, mailbox, parsed, evidence_id)"
        " VALUES ('k1', 'm', %s, %s) RETURNING id",
        (Jsonb({"accept_url": "https://portal.example/accept?t=1"}), shot.id))
    return int(row_id)


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOT])
def test_a_mail_rows_accept_link_and_evidence_are_written_once(logins, mail_row, evidence, role):
    other = evidence.put("screenshot", "b.png", PNG + b"1")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="accept link"):
        as_login(logins[role], "UPDATE mail_messages SET parsed = jsonb_set(parsed,"
                 " '{accept_url}', '\"https://evil.example/\"') WHERE id = %s", (mail_row,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="evidence"):
        as_login(logins[role], "UPDATE mail_messages SET evidence_id = %s WHERE id = %s",
                 (other.id, mail_row))
    # A copy of the same content may replace it (manual linking attaches one to the transfer).
    copy = evidence.put("screenshot", "copy.png", PNG)
    as_login(logins[role], "UPDATE mail_messages SET evidence_id = %s WHERE id = %s",
             (copy.id, mail_row))
    # What is not write-once still moves (the matcher's status, score).
    as_login(logins[role], "UPDATE mail_messages SET match_status = 'ignored' WHERE id = %s",
             (mail_row,))


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOT])
def test_evidence_hash_size_and_creator_come_from_the_database(database_url, logins, role):
    (ev_id,), = as_login(
        logins[role], "INSERT INTO evidence (kind, filename, content_type, size, sha256,"
        " content, created_by, created_at) VALUES ('screenshot', 'a.png', 'image/png', 1,"
        " %s, %s, 'sam', '2020-01-01') RETURNING id", ("0" * 64, PNG))
    size, sha, by, at = as_login(database_url, "SELECT size, sha256, created_by, created_at"
                                 " FROM evidence WHERE id = %s", (ev_id,))[0]
    assert (size, sha, by) == (len(PNG), hashlib.sha256(PNG).hexdigest(), LOGINS[role])
    assert at.year == datetime.now(UTC).year


def test_evidence_without_content_is_refused(logins):
    with pytest.raises(psycopg.errors.NotNullViolation, match="no content"):
        as_login(logins[Role.STAFF], "INSERT INTO evidence (kind, filename, content_type, size,"
                 " sha256) VALUES ('upload', 'a.png', 'image/png', 1, 'x')")


@pytest.mark.parametrize("role", list(LOGINS))
def test_evidence_metadata_cannot_change(logins, evidence, role):
    shot = evidence.put("screenshot", "a.png", PNG)
    for column, value in (("kind", "'upload'"), ("filename", "'b.png'"),
                          ("content_type", "'application/pdf'"), ("created_by", "'x'")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_login(logins[role], f"UPDATE evidence SET {column} = {value} WHERE id = %s",
                     (shot.id,))


DENIED = [
    (Role.BOT, "INSERT INTO transfers (order_ref, event_name) VALUES ('B-1', 'e')"),
    (Role.BOT, "INSERT INTO portal_accounts (site_url, username) VALUES ('https://x', 'u')"),
    (Role.STAFF, "INSERT INTO portal_accounts (site_url, username) VALUES ('https://x', 'u')"),
    (Role.STAFF, "UPDATE portal_accounts SET username = 'u'"),
    (Role.BOT, "UPDATE portal_accounts SET username = 'u'"),
    (Role.BOT, "DELETE FROM runs"),
    (Role.STAFF, "DELETE FROM mail_messages"),
    (Role.SUPERVISOR, "DELETE FROM evidence"),
    (Role.SUPERVISOR, "UPDATE audit_log SET actor = 'x'"),
    (Role.BOT, "CREATE TABLE public.scratch (id int)"),
    (Role.STAFF, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_stamp"),
    (Role.SUPERVISOR, "ALTER TABLE transfers DISABLE TRIGGER transfers_audit_update"),
]


@pytest.mark.parametrize(("role", "sql"), DENIED)
def test_least_privilege_denials(logins, role, sql):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_login(logins[role], sql)


def test_a_duplicate_portal_account_is_refused(supervisor):
    first = supervisor.add_account("paciolan", "https://tickets.example.edu/", "desk@market.test")
    with pytest.raises(DomainError, match=f"already exists \\(#{first.id}\\)"):
        supervisor.add_account("paciolan", "https://TICKETS.example.edu", "Desk@market.test")


@pytest.mark.parametrize(("url", "message"), [
    ("https://u:pw@tickets.example.edu", "user name or password"),
    ("http://tickets.example.edu", "plain http"),
    ("https://tickets.example.edu/a b", "spaces"),
])
def test_a_bad_site_url_is_refused_by_the_service(supervisor, url, message):
    with pytest.raises(DomainError, match=message):
        supervisor.add_account("paciolan", url, "desk@market.test")


def test_a_loopback_sandbox_may_use_http(supervisor):
    assert supervisor.add_account("paciolan", "http://127.0.0.1:8123", "d").site_url == \
        "http://127.0.0.1:8123"


def test_a_nul_in_an_evidence_file_name_is_a_clear_error(evidence):
    with pytest.raises(EvidenceError, match="control characters"):
        evidence.put("screenshot", "shot\x00.png", PNG)


def test_missing_evidence_content_is_reported_as_tampering(database_url, evidence):
    shot = evidence.put("screenshot", "a.png", PNG)
    with psycopg.connect(database_url) as conn:  # the owner, in maintenance (as an attacker would)
        conn.execute("SET LOCAL transferdesk.maintenance = 'on'")
        conn.execute("UPDATE evidence SET content = NULL WHERE id = %s", (shot.id,))
    with pytest.raises(EvidenceError, match="integrity check.*missing"):
        evidence.read(shot.id)


def test_a_raw_change_of_the_escrow_money_is_audited(database_url, logins, make_transfer):
    t = make_transfer()
    as_login(logins[Role.BOT], "UPDATE transfers SET amount_to_capture = 1 WHERE id = %s",
             (t.row.id,))
    detail = as_login(database_url, "SELECT detail FROM audit_log WHERE transfer_id = %s"
                      " ORDER BY id DESC LIMIT 1", (t.row.id,))[0][0]
    assert detail == {"source": "database", "columns": ["escrow money"]}
