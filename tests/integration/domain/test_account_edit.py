"""Editing and removing portal accounts: real PostgreSQL, the real Secret Service keyring and
real saved-session files; a refusing keyring or a failed commit leaves nothing half-changed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

from app.browser_sessions import session_file, session_key
from app.credentials import CredentialStore, KeyringUnavailableError, portal_key
from app.db.models import AuditLog, PortalAccount
from app.domain.account_states import AutomationMode
from app.domain.accounts import AccountChanges
from app.domain.errors import DomainError, NotFoundError, PermissionDeniedError
from app.domain.records import PortalAccountInfo, TransferFull
from app.domain.states import Role
from app.intake.orders import OrderError
from app.repositories import mapping
from app.services.account_edit import AccountEditService
from app.services.account_setup import add_account_with_password
from app.services.account_status import AccountStatusService
from app.services.claims import ClaimService
from app.services.queue import QueueService
from app.services.transfers import TransferService
from app.timeline_text import describe_audit
from automation.browser.storage import StorageStateStore

PASSWORD, NEW_PASSWORD = "old-Secret-pw-1", "new-Secret-pw-2"
Make = Callable[..., TransferFull]
_n = iter(range(1, 10_000))
#: Account sentences do not read the transfer (account audit rows have none).
TRANSFER_UNUSED: TransferFull = None  # type: ignore[assignment]


@pytest.fixture
def sessions(tmp_path: Path) -> StorageStateStore:
    return StorageStateStore(tmp_path / "browser", Fernet.generate_key())


@pytest.fixture
def editor(engine: Engine, credential_store: CredentialStore,
           sessions: StorageStateStore) -> AccountEditService:
    return AccountEditService(engine, "Sam (supervisor)", Role.SUPERVISOR,
                              store=credential_store, sessions_dir=sessions.directory)


@pytest.fixture
def account(supervisor: TransferService, credential_store: CredentialStore,
            sessions: StorageStateStore) -> Callable[[], PortalAccountInfo]:
    """A new account with its password in the keyring and a saved browser session."""

    def add() -> PortalAccountInfo:
        n = next(_n)
        info = add_account_with_password(
            supervisor, "paciolan", f"https://site{n}.example.edu", f"box{n}@market.example",
            f"Site {n}", PASSWORD, profile="paciolan", store=credential_store)
        sessions.save(session_key(info.site_url, info.username), {"cookies": [], "origins": []})
        return info
    return add


def _row(engine: Engine, account_id: int) -> PortalAccount | None:
    with Session(engine) as session:
        return session.get(PortalAccount, account_id)


def _audit(engine: Engine, action: str) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def _has_session(sessions: StorageStateStore, info: PortalAccountInfo) -> bool:
    return session_file(sessions.directory, session_key(info.site_url, info.username)).exists()


@pytest.fixture
def fail_commit(engine: Engine) -> Iterator[list[bool]]:
    """Set ``[True]`` to make the next commit fail after everything was written."""
    armed = [False]

    def boom(session: Session) -> None:
        if armed[0]:
            armed[0] = False
            raise RuntimeError("the database went away at commit")

    event.listen(Session, "before_commit", boom)
    yield armed
    event.remove(Session, "before_commit", boom)


def test_edit_changes_the_row_the_password_and_drops_the_old_session(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    credential_store: CredentialStore, sessions: StorageStateStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    info, other = account(), account()
    caplog.set_level(logging.DEBUG)
    edited = editor.edit(info.id, AccountChanges(
        label="State U box office", username="tickets@market.example", password=NEW_PASSWORD,
        automation_mode=AutomationMode.ASSISTED, site_url="https://tickets.stateu.example/"))

    assert edited.changed == ("name", "username", "automation mode", "site URL", "password")
    assert edited.account.site_url == "https://tickets.stateu.example"  # normalised
    assert edited.session_dropped and not _has_session(sessions, info)
    assert _has_session(sessions, other)  # another account's session is left alone
    row = _row(engine, info.id)
    assert row is not None
    assert (row.label, row.username, row.automation_mode, row.site_url) == (
        "State U box office", "tickets@market.example", "assisted",
        "https://tickets.stateu.example")
    assert row.profile is None  # another site: its profile is detected again
    assert credential_store.get(portal_key(str(info.id))) == NEW_PASSWORD
    [entry] = _audit(engine, "account_edited")
    assert entry.actor_name == "Sam (supervisor)" and entry.actor_role == Role.SUPERVISOR.value
    assert entry.detail["from"]["username"] == info.username
    assert entry.detail["to"]["automation_mode"] == "assisted"
    with Session(engine) as session:
        dumped = session.scalar(text("SELECT string_agg(detail::text, ' ') FROM audit_log"))
    assert NEW_PASSWORD not in (dumped or "") and PASSWORD not in (dumped or "")
    assert NEW_PASSWORD not in caplog.text and PASSWORD not in caplog.text
    sentence = describe_audit(mapping.audit_entry(entry), TRANSFER_UNUSED)
    assert sentence == (f"Portal account #{info.id} (tickets@market.example) edited by Sam "
                        "(supervisor): name, username, automation mode, site URL, password "
                        "changed")


def test_a_password_change_alone_keeps_the_session_and_staff_may_do_it(
    engine: Engine, account: Callable[[], PortalAccountInfo], credential_store: CredentialStore,
    sessions: StorageStateStore,
) -> None:
    info = account()
    staff = AccountEditService(engine, "Dana (desk 3)", Role.STAFF, store=credential_store,
                               sessions_dir=sessions.directory)
    edited = staff.edit(info.id, AccountChanges(password=NEW_PASSWORD))
    assert edited.changed == ("password",) and not edited.session_dropped
    assert _has_session(sessions, info)  # same identity: its session stays valid
    kept = _row(engine, info.id)
    assert kept is not None and kept.profile == "paciolan"
    assert credential_store.get(portal_key(str(info.id))) == NEW_PASSWORD
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        staff.edit(info.id, AccountChanges(label="Renamed", password="third-pw-3"))
    assert credential_store.get(portal_key(str(info.id))) == NEW_PASSWORD
    row = _row(engine, info.id)
    assert row is not None and row.label == info.label


def test_a_refused_keyring_write_leaves_row_and_password_as_they_were(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    credential_store: CredentialStore, sessions: StorageStateStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info = account()

    def locked(_store: object, key: str, _secret: str) -> None:
        raise KeyringUnavailableError(f"the OS keyring is locked; nothing was saved ({key})")

    with monkeypatch.context() as patch:
        patch.setattr(CredentialStore, "set", locked)
        with pytest.raises(KeyringUnavailableError, match="locked"):
            editor.edit(info.id, AccountChanges(username="new@market.example",
                                                password=NEW_PASSWORD))
    row = _row(engine, info.id)
    assert row is not None and row.username == info.username
    assert credential_store.get(portal_key(str(info.id))) == PASSWORD
    assert _has_session(sessions, info) and not _audit(engine, "account_edited")


def test_a_failed_commit_after_the_keyring_write_puts_the_old_password_back(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    credential_store: CredentialStore, sessions: StorageStateStore, fail_commit: list[bool],
) -> None:
    info = account()
    fail_commit[0] = True
    with pytest.raises(RuntimeError, match="went away"):
        editor.edit(info.id, AccountChanges(site_url="https://other.example.edu",
                                            password=NEW_PASSWORD))
    assert credential_store.get(portal_key(str(info.id))) == PASSWORD
    row = _row(engine, info.id)
    assert row is not None and row.site_url == info.site_url
    assert _has_session(sessions, info)


@pytest.mark.parametrize(("changes", "message"), [
    (AccountChanges(site_url="http://tickets.example.edu"), "plain http"),
    (AccountChanges(site_url="tickets.example.edu"), "https://"),
    (AccountChanges(username="  "), "needs a username"),
    (AccountChanges(password=""), "cannot be empty"),
    (AccountChanges(), "nothing to change"),
])
def test_bad_input_is_refused_with_one_line(
    editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    changes: AccountChanges, message: str,
) -> None:
    info = account()
    with pytest.raises(DomainError, match=message) as caught:
        editor.edit(info.id, changes)
    assert "\n" not in str(caught.value)


def test_an_edit_to_another_accounts_identity_or_a_missing_account_is_refused(
    editor: AccountEditService, account: Callable[[], PortalAccountInfo],
) -> None:
    first, second = account(), account()
    with pytest.raises(DomainError, match=f"already exists \\(#{first.id}\\)"):
        editor.edit(second.id, AccountChanges(site_url=first.site_url,
                                              username=first.username.upper()))
    with pytest.raises(DomainError, match="already has these details"):
        editor.edit(second.id, AccountChanges(label=second.label))
    with pytest.raises(NotFoundError):
        editor.edit(999_999, AccountChanges(label="x"))


def test_remove_is_refused_while_transfers_are_open_or_claimed(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    make_transfer: Make, bot_claims: ClaimService, credential_store: CredentialStore,
) -> None:
    info = account()
    make_transfer(account_id=info.id)
    make_transfer(account_id=info.id)
    claimed = make_transfer(notice=True, account_id=info.id)
    assert bot_claims.claim("vm-2:41:abc", transfer_id=claimed.row.id) is not None
    with pytest.raises(DomainError) as caught:
        editor.remove(info.id)
    assert str(caught.value) == (
        f"portal account {info.id} still has 3 open transfer(s) (2 awaiting notice, "
        "1 accepting): finish them or move them to another account first")
    row = _row(engine, info.id)
    assert row is not None and row.active
    assert credential_store.get(portal_key(str(info.id))) == PASSWORD


def test_remove_retires_an_account_with_history_and_it_takes_no_new_transfers(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    make_transfer: Make, staff: TransferService, supervisor: TransferService,
    credential_store: CredentialStore, sessions: StorageStateStore,
) -> None:
    info, other = account(), account()
    old = make_transfer(account_id=info.id, accept_by=datetime.now(UTC) + timedelta(hours=1))
    assert staff.expire_overdue(now=datetime.now(UTC) + timedelta(days=30))  # history only
    removed = editor.remove(info.id)

    assert removed.retired and removed.password_deleted and removed.session_dropped
    row = _row(engine, info.id)
    assert row is not None and not row.active  # kept: the history names it
    assert credential_store.get(portal_key(str(info.id))) is None
    assert not _has_session(sessions, info)
    [entry] = _audit(engine, "account_retired")
    assert entry.detail["username"] == info.username
    statuses = AccountStatusService(engine, role=Role.STAFF)
    assert [s.account_id for s in statuses.statuses()] == [other.id]
    assert info.id in [s.account_id for s in statuses.statuses(include_retired=True)]
    history = QueueService(engine, role=Role.STAFF).detail(old.row.id)
    assert history.transfer.row.account_id == info.id

    with pytest.raises(DomainError, match="is retired: it takes no new transfers"):
        make_transfer(account_id=info.id)
    with pytest.raises(DomainError, match="retired"):
        staff.import_csv("order_ref,event_name,accept_by,account_id\n"
                         f"ORD-R1,Game,2030-01-01T00:00:00Z,{info.id}\n")
    with pytest.raises(DomainError, match="retired"):
        editor.remove(info.id)
    with pytest.raises(DomainError, match="retired"):
        editor.edit(info.id, AccountChanges(label="back"))
    moved = make_transfer(account_id=other.id)
    with pytest.raises(DomainError, match="retired"):
        supervisor.reassign(moved.row.id, moved.row.version, info.id)


def test_a_retired_account_is_never_claimed(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    make_transfer: Make, supervisor: TransferService, bot_claims: ClaimService,
    staff: TransferService,
) -> None:
    info = account()
    transfer = make_transfer(notice=True, account_id=info.id)
    expired = staff.expire_overdue(now=datetime.now(UTC) + timedelta(days=30))
    assert transfer.row.id in expired
    editor.remove(info.id)
    current = QueueService(engine, role=Role.STAFF).detail(transfer.row.id).transfer.row
    supervisor.reopen(transfer.row.id, current.version, "the seller resent it")
    assert bot_claims.claim("vm-2:41:abc") is None


def test_intake_of_an_order_for_a_retired_account_is_rejected(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    make_transfer: Make, staff: TransferService,
) -> None:
    from app.intake.apply import apply_order
    from app.intake.orders import parse_order

    info = account()
    make_transfer(account_id=info.id)
    staff.expire_overdue(now=datetime.now(UTC) + timedelta(days=30))
    editor.remove(info.id)
    request = parse_order({"order_ref": "ORD-IN-1", "event_name": "Game",
                           "accept_by": "2030-01-01T00:00:00Z", "account_id": info.id})
    with Session(engine) as session, pytest.raises(OrderError, match="is retired"):
        apply_order(session, request, "inbox", {})


def test_remove_deletes_an_account_nothing_refers_to(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    credential_store: CredentialStore, sessions: StorageStateStore,
) -> None:
    info = account()
    removed = editor.remove(info.id)
    assert not removed.retired and removed.password_deleted
    assert _row(engine, info.id) is None
    assert credential_store.get(portal_key(str(info.id))) is None
    assert not _has_session(sessions, info)
    [entry] = _audit(engine, "account_removed")
    assert entry.detail["site_url"] == info.site_url and entry.transfer_id is None


def test_remove_needs_a_supervisor_and_a_working_keyring(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    credential_store: CredentialStore, sessions: StorageStateStore,
    monkeypatch: pytest.MonkeyPatch, fail_commit: list[bool],
) -> None:
    info = account()
    staff = AccountEditService(engine, "Dana", Role.STAFF, store=credential_store)
    with pytest.raises(PermissionDeniedError, match="supervisor"):
        staff.remove(info.id)

    def refuses(_store: object, key: str) -> bool:
        raise KeyringUnavailableError(f"the OS keyring is locked ({key})")

    with monkeypatch.context() as patch:
        patch.setattr(CredentialStore, "delete", refuses)
        with pytest.raises(KeyringUnavailableError):
            editor.remove(info.id)
    fail_commit[0] = True
    with pytest.raises(RuntimeError):
        editor.remove(info.id)
    row = _row(engine, info.id)
    assert row is not None and row.active  # neither attempt removed anything
    assert credential_store.get(portal_key(str(info.id))) == PASSWORD
    assert _has_session(sessions, info)
    assert not _audit(engine, "account_removed")


def test_new_transfer_for_a_missing_account_still_says_so(make_transfer: Make) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        make_transfer(account_id=987_654)


def test_a_raw_delete_of_an_account_is_refused_even_to_a_supervisor(
    database_url: str, account: Callable[[], PortalAccountInfo], make_transfer: Make,
) -> None:
    """Only a deletion with its ``account_removed`` audit row passes (migration 0015)."""
    import psycopg

    unused, used = account(), account()
    make_transfer(account_id=used.id)
    for info, error in ((unused, psycopg.errors.InsufficientPrivilege),
                        (used, psycopg.errors.InsufficientPrivilege)):
        with psycopg.connect(database_url) as conn, pytest.raises(error):
            conn.execute("SET ROLE transferdesk_supervisor")
            conn.execute("DELETE FROM portal_accounts WHERE id = %s", (info.id,))
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("SET ROLE transferdesk_supervisor")
        conn.execute("INSERT INTO audit_log (action, detail) VALUES ('account_removed', "
                     "jsonb_build_object('account_id', %s::bigint))", (used.id,))
        conn.execute("DELETE FROM portal_accounts WHERE id = %s", (used.id,))
    for role in ("transferdesk_staff", "transferdesk_bot"):
        with psycopg.connect(database_url) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SET ROLE {role}")
            conn.execute("DELETE FROM portal_accounts WHERE id = %s", (unused.id,))


def test_remove_is_refused_while_a_run_is_still_open(
    engine: Engine, editor: AccountEditService, account: Callable[[], PortalAccountInfo],
    make_transfer: Make, bot_claims: ClaimService,
) -> None:
    """A run that has not ended counts even when its transfer is closed (set up by the owner
    in maintenance mode: the services never leave one so)."""
    info = account()
    transfer = make_transfer(notice=True, account_id=info.id)
    assert bot_claims.claim("vm-2:41:abc", transfer_id=transfer.row.id) is not None
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL transferdesk.maintenance = 'on'"))
        conn.execute(text("UPDATE transfers SET status = 'expired' WHERE id = :id"),
                     {"id": transfer.row.id})
    with pytest.raises(DomainError, match=r"has 2 run\(s\) or claim\(s\) in progress"):
        editor.remove(info.id)
    row = _row(engine, info.id)
    assert row is not None and row.active
